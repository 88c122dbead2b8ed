package dev.gatehouse.tunnel.wireguard;

/**
 * One transport message whose header and counter {@link WireGuardDevice#encapsulate(
 * java.nio.ByteBuffer, java.nio.ByteBuffer, SealTicket)} prepared and whose encryption is left to
 * {@link #seal}, so that a batch's messages encrypt in parallel and still leave in counter order.
 * One per batch slot, reused; not thread-safe (one thread fills it, one seals it, with a
 * happens-before between them, as a worker hand-off gives).
 */
public final class SealTicket {
  private Keypair keypair;
  private byte[] buf;
  private int base;
  private int len;
  private long counter;

  /** Whether a message waits for {@link #seal}. */
  public boolean pending() {
    return keypair != null;
  }

  /** Encrypts the waiting message in place on {@code lane} (1 and up, one thread per lane). */
  public void seal(int lane) {
    Keypair kp = keypair;
    keypair = null;
    kp.sealReserved(buf, base, len, counter, lane);
    buf = null;
  }

  /** Records a reserved message; returns its sealed length. */
  int reserved(Keypair kp, byte[] buf, int base, int len, long counter) {
    this.keypair = kp;
    this.buf = buf;
    this.base = base;
    this.len = len;
    this.counter = counter;
    return Keypair.sealedLength(len);
  }
}
