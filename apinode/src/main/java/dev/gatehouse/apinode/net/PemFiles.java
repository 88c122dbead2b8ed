package dev.gatehouse.apinode.net;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Reads a certificate chain and a private key from PEM, as a {@code kubernetes.io/tls} Secret holds
 * them ({@code tls.crt}, {@code tls.key}). Keys may be PKCS#8 ({@code BEGIN PRIVATE KEY}, what
 * {@code openssl genpkey} writes), PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) or SEC1 ({@code BEGIN EC
 * PRIVATE KEY}), the last two being cert-manager's default encoding; encrypted keys are refused.
 *
 * <p>Every failure is an {@link IllegalArgumentException} whose message names the file and says
 * what is wrong with it; hostile input never escapes as another exception type.
 */
public final class PemFiles {

  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]{1,40})-----([^-]*)-----END \\1-----");

  /** AlgorithmIdentifier of rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters. */
  private static final byte[] RSA_ALGORITHM = {
    0x30,
    0x0d,
    0x06,
    0x09,
    0x2a,
    (byte) 0x86,
    0x48,
    (byte) 0x86,
    (byte) 0xf7,
    0x0d,
    0x01,
    0x01,
    0x01,
    0x05,
    0x00
  };

  /** The OID id-ecPublicKey (1.2.840.10045.2.1), tag and length included. */
  private static final byte[] EC_PUBLIC_KEY_OID = {
    0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01
  };

  private PemFiles() {}

  /** The certificates of {@code file}, leaf first; at least one. */
  public static List<X509Certificate> certificates(Path file) {
    String text = read(file, "certificate");
    return certificates(text, file.toString());
  }

  /** The certificates in {@code pem}; {@code source} names it in messages. */
  public static List<X509Certificate> certificates(String pem, String source) {
    if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
      throw new IllegalArgumentException(
          source + " holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)");
    }
    try {
      var certs =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(
                  new ByteArrayInputStream(onlyCertificates(pem).getBytes(StandardCharsets.UTF_8)));
      if (certs.isEmpty()) {
        throw new IllegalArgumentException(source + " holds no PEM certificate");
      }
      return certs.stream().map(X509Certificate.class::cast).toList();
    } catch (CertificateException | RuntimeException e) {
      if (e instanceof IllegalArgumentException iae && iae.getMessage().startsWith(source)) {
        throw iae;
      }
      throw new IllegalArgumentException(
          source + " is not a valid PEM certificate chain: " + e.getMessage(), e);
    }
  }

  /**
   * A client TLS context trusting exactly the certificates of {@code caFile} (hostname verification
   * is the caller's, on by default in the JDK's HTTP client).
   */
  public static SSLContext trusting(Path caFile) {
    List<X509Certificate> cas = certificates(caFile);
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      for (int i = 0; i < cas.size(); i++) {
        store.setCertificateEntry("ca-" + i, cas.get(i));
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("cannot trust the CA file " + caFile + ": " + e, e);
    }
  }

  /** The private key of {@code file}. */
  public static PrivateKey privateKey(Path file) {
    return privateKey(read(file, "private key"), file.toString());
  }

  /** The private key in {@code pem}; {@code source} names it in messages. */
  public static PrivateKey privateKey(String pem, String source) {
    if (pem.contains("ENCRYPTED PRIVATE KEY") || pem.contains("Proc-Type: 4,ENCRYPTED")) {
      throw new IllegalArgumentException(
          source + " holds an encrypted private key; give it unencrypted (a Secret protects it)");
    }
    Matcher m = BLOCK.matcher(pem);
    while (m.find()) {
      String type = m.group(1);
      byte[] der;
      try {
        der = Base64.getMimeDecoder().decode(m.group(2));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(source + " has a " + type + " that is not base64", e);
      }
      try {
        return switch (type) {
          case "PRIVATE KEY" -> pkcs8(der);
          case "RSA PRIVATE KEY" -> decode("RSA", pkcs8Info(RSA_ALGORITHM, der));
          case "EC PRIVATE KEY" -> decode("EC", pkcs8Info(ecAlgorithm(der), der));
          default -> null;
        };
      } catch (GeneralSecurityException | IllegalArgumentException e) {
        throw new IllegalArgumentException(
            source + " has a " + type + " that cannot be read: " + e.getMessage(), e);
      }
    }
    throw new IllegalArgumentException(
        source
            + " holds no PEM private key (expected -----BEGIN PRIVATE KEY-----, RSA PRIVATE KEY or"
            + " EC PRIVATE KEY)");
  }

  private static String read(Path file, String what) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("TLS " + what + " file " + file + " does not exist");
    }
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("cannot read TLS " + what + " file " + file + ": " + e, e);
    }
  }

  /** Just the CERTIFICATE blocks: the JDK's parser trips over anything else in between. */
  private static String onlyCertificates(String pem) {
    StringBuilder out = new StringBuilder();
    Matcher m = BLOCK.matcher(pem);
    while (m.find()) {
      if (m.group(1).equals("CERTIFICATE")) {
        out.append(m.group(0)).append('\n');
      }
    }
    return out.toString();
  }

  private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
    GeneralSecurityException last = null;
    for (String algorithm : List.of("RSA", "EC", "Ed25519", "RSASSA-PSS")) {
      try {
        return decode(algorithm, der);
      } catch (GeneralSecurityException e) {
        last = e;
      }
    }
    throw new GeneralSecurityException("not an RSA, EC or Ed25519 key in PKCS#8", last);
  }

  private static PrivateKey decode(String algorithm, byte[] pkcs8) throws GeneralSecurityException {
    try {
      return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    } catch (RuntimeException e) {
      throw new GeneralSecurityException(e.toString(), e);
    }
  }

  /** PrivateKeyInfo ::= SEQUENCE { INTEGER 0, AlgorithmIdentifier, OCTET STRING key }. */
  private static byte[] pkcs8Info(byte[] algorithm, byte[] key) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(new byte[] {0x02, 0x01, 0x00});
    body.writeBytes(algorithm);
    body.writeBytes(tlv(0x04, key));
    return tlv(0x30, body.toByteArray());
  }

  /**
   * The AlgorithmIdentifier {id-ecPublicKey, namedCurve} for a SEC1 ECPrivateKey ::= SEQUENCE {
   * INTEGER 1, OCTET STRING, [0] OID curve OPTIONAL, [1] BIT STRING OPTIONAL }.
   */
  static byte[] ecAlgorithm(byte[] sec1) {
    Der outer = new Der(sec1, 0, sec1.length);
    Der seq = outer.enter(0x30);
    seq.skip(0x02);
    seq.skip(0x04);
    while (seq.hasMore()) {
      if (seq.peekTag() == 0xa0) {
        Der params = seq.enter(0xa0);
        byte[] oid = params.element(0x06);
        ByteArrayOutputStream alg = new ByteArrayOutputStream();
        alg.writeBytes(EC_PUBLIC_KEY_OID);
        alg.writeBytes(oid);
        return tlv(0x30, alg.toByteArray());
      }
      seq.skip(seq.peekTag());
    }
    throw new IllegalArgumentException("EC key without its curve ([0] parameters)");
  }

  private static byte[] tlv(int tag, byte[] value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int n = value.length;
    if (n < 0x80) {
      out.write(n);
    } else if (n < 0x100) {
      out.write(0x81);
      out.write(n);
    } else if (n < 0x10000) {
      out.write(0x82);
      out.write(n >> 8);
      out.write(n);
    } else {
      out.write(0x83);
      out.write(n >> 16);
      out.write(n >> 8);
      out.write(n);
    }
    out.writeBytes(value);
    return out.toByteArray();
  }

  /** A bounds-checked cursor over DER elements in {@code [pos, end)}. */
  private static final class Der {
    private final byte[] data;
    private int pos;
    private final int end;

    Der(byte[] data, int pos, int end) {
      this.data = data;
      this.pos = pos;
      this.end = end;
    }

    boolean hasMore() {
      return pos < end;
    }

    int peekTag() {
      if (pos >= end) {
        throw new IllegalArgumentException("truncated DER");
      }
      return data[pos] & 0xff;
    }

    /** Reads the header of an element with {@code tag}; returns its content's end. */
    private int header(int tag) {
      if (peekTag() != tag) {
        throw new IllegalArgumentException(
            "unexpected DER tag 0x"
                + Integer.toHexString(peekTag())
                + ", wanted 0x"
                + Integer.toHexString(tag));
      }
      pos++;
      if (pos >= end) {
        throw new IllegalArgumentException("truncated DER");
      }
      int first = data[pos++] & 0xff;
      int length;
      if (first < 0x80) {
        length = first;
      } else {
        int bytes = first & 0x7f;
        if (bytes == 0 || bytes > 3 || pos + bytes > end) {
          throw new IllegalArgumentException("bad DER length");
        }
        length = 0;
        for (int i = 0; i < bytes; i++) {
          length = (length << 8) | (data[pos++] & 0xff);
        }
      }
      if (length > end - pos) {
        throw new IllegalArgumentException("DER element longer than its container");
      }
      return pos + length;
    }

    Der enter(int tag) {
      int contentEnd = header(tag);
      Der inner = new Der(data, pos, contentEnd);
      pos = contentEnd;
      return inner;
    }

    void skip(int tag) {
      pos = header(tag);
    }

    /** The whole element (tag, length, content). */
    byte[] element(int tag) {
      int start = pos;
      pos = header(tag);
      return Arrays.copyOfRange(data, start, pos);
    }
  }
}
