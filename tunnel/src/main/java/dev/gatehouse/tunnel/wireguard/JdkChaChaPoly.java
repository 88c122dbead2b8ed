package dev.gatehouse.tunnel.wireguard;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@link TransportAead} over the JDK's {@code ChaCha20-Poly1305} {@link Cipher}: the fallback when
 * libcrypto is absent. Intrinsified, but {@code init} per packet allocates about 2.2 KB.
 */
final class JdkChaChaPoly implements TransportAead {
  private final SecretKeySpec key;
  private final Cipher cipher = Crypto.newChaChaCipher();
  private final byte[] nonce = new byte[12];

  JdkChaChaPoly(byte[] key32) {
    this.key = new SecretKeySpec(key32, "ChaCha20");
  }

  @Override
  public int seal(long counter, byte[] in, int off, int len, byte[] out, int outOff) {
    Message.putLe64(nonce, 4, counter);
    try {
      cipher.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(nonce));
      return cipher.doFinal(in, off, len, out, outOff);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ChaCha20-Poly1305 encryption failed", e);
    }
  }

  @Override
  public int open(long counter, byte[] in, int off, int len, byte[] out, int outOff) {
    if (len < TAG_SIZE) {
      return -1;
    }
    Message.putLe64(nonce, 4, counter);
    try {
      cipher.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(nonce));
      return cipher.doFinal(in, off, len, out, outOff);
    } catch (GeneralSecurityException | IllegalStateException e) {
      return -1;
    }
  }

  @Override
  public void clear() {
    Arrays.fill(nonce, (byte) 0);
  }
}
