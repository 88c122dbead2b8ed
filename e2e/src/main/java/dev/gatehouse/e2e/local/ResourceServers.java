package dev.gatehouse.e2e.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The resource: a {@link WebServer} on port 8080 (a page and a file) and an {@code iperf3} server
 * on 5201, in the lab's resource namespace. The web server's log names the address each request
 * came from.
 */
public final class ResourceServers implements AutoCloseable {
  public static final int HTTP_PORT = 8080;
  public static final int IPERF_PORT = 5201;
  public static final String PAGE_MARKER = "Served by the in-cluster web resource";

  private final ManagedProcess web;
  private final ManagedProcess iperf;
  private final String fileSha256;
  private final long fileBytes;

  private ResourceServers(ManagedProcess web, ManagedProcess iperf, String sha, long bytes) {
    this.web = web;
    this.iperf = iperf;
    this.fileSha256 = sha;
    this.fileBytes = bytes;
  }

  /** Starts both servers; the file has {@code fileBytes} of seeded pseudo-random content. */
  public static ResourceServers start(LabNetwork lab, Path work, Path logs, int fileBytes)
      throws IOException, InterruptedException {
    Path site = work.resolve("site");
    Files.createDirectories(site);
    Files.writeString(
        site.resolve("index.html"),
        "<!doctype html><title>web</title><p>" + PAGE_MARKER + ".</p>\n",
        StandardCharsets.UTF_8);
    byte[] data = new byte[fileBytes];
    new Random(42).nextBytes(data);
    Files.write(site.resolve("file.bin"), data);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ManagedProcess web =
        ManagedProcess.start(
            "web resource",
            Commands.inNamespace(
                lab.resourceNamespace(),
                List.of(
                    java,
                    "-cp",
                    codeSource(),
                    WebServer.class.getName(),
                    Integer.toString(HTTP_PORT),
                    site.toAbsolutePath().toString())),
            Map.of(),
            logs.resolve("web.log"));
    ManagedProcess iperf =
        ManagedProcess.start(
            "iperf3 resource",
            Commands.inNamespace(
                lab.resourceNamespace(),
                List.of("iperf3", "-s", "-p", Integer.toString(IPERF_PORT))),
            Map.of(),
            logs.resolve("iperf3-server.log"));
    ResourceServers servers = new ResourceServers(web, iperf, sha256(data), fileBytes);
    String local = "http://" + lab.resourceAddress() + ":" + HTTP_PORT + "/";
    for (int i = 0; i < 100 && !Commands.succeeds(curlIn(lab.resourceNamespace(), local)); i++) {
      Thread.sleep(200);
    }
    if (!Commands.succeeds(curlIn(lab.resourceNamespace(), local))) {
      servers.close();
      throw new IOException("the web resource did not come up; see " + web.log());
    }
    return servers;
  }

  /** Where {@link WebServer} was loaded from (it needs nothing but the JDK). */
  private static String codeSource() {
    try {
      return Path.of(WebServer.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toString();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> curlIn(String ns, String url) {
    return Commands.inNamespace(ns, List.of("curl", "-sf", "-m", "2", "-o", "/dev/null", url));
  }

  static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public String fileSha256() {
    return fileSha256;
  }

  public long fileBytes() {
    return fileBytes;
  }

  /** The web server's access log so far. */
  public String accessLog() throws IOException {
    return Files.readString(web.log(), StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    web.close();
    iperf.close();
  }
}
