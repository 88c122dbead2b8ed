package dev.gatehouse.tunnel.wireguard;

/** {@link TransportAead} over the plain-Java {@link ChaChaPoly}. */
record JavaTransportAead(ChaChaPoly aead) implements TransportAead {
  @Override
  public int seal(long counter, byte[] in, int off, int len, byte[] out, int outOff) {
    return aead.seal(counter, in, off, len, out, outOff);
  }

  @Override
  public int open(long counter, byte[] in, int off, int len, byte[] out, int outOff) {
    return aead.open(counter, in, off, len, out, outOff);
  }

  @Override
  public void clear() {
    aead.clear();
  }
}
