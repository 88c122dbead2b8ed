package dev.gatehouse.e2e.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The headless client CLI ({@code gatehouse-client}) in the lab's client namespace, dialing the
 * second API node (the gateways dial the first), with its token in a file only root can read, and
 * its status file where a script would read it.
 */
public final class ClientProcess implements AutoCloseable {
  private final ManagedProcess process;
  private final Path statusFile;

  private ClientProcess(ManagedProcess process, Path statusFile) {
    this.process = process;
    this.statusFile = statusFile;
  }

  public static ClientProcess start(
      Path repository, LabNetwork lab, String token, Path work, Path log, List<String> extraArgs)
      throws IOException {
    Path jar = repository.resolve("client/target/gatehouse-client-0.1.0-SNAPSHOT.jar");
    if (!Files.exists(jar)) {
      throw new IllegalStateException(
          jar + " is missing: build it with ./mvnw -pl client -am package");
    }
    Files.createDirectories(work);
    Path tokenFile = work.resolve("client.token");
    Files.deleteIfExists(tokenFile);
    Files.createFile(
        tokenFile,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(tokenFile, token + "\n", StandardCharsets.UTF_8);
    Path status = work.resolve("client.status");
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-jar",
                jar.toString(),
                "--api",
                "ws://" + lab.apiAddress(1) + ":" + lab.apiPort(),
                "--token-file",
                tokenFile.toString(),
                "--interface",
                "gatehouse0",
                "--status-file",
                status.toString()));
    command.addAll(extraArgs);
    ManagedProcess process =
        ManagedProcess.start(
            "client", Commands.inNamespace(lab.clientNamespace(), command), Map.of(), log);
    return new ClientProcess(process, status);
  }

  /** The client's status file now ("" before it wrote one). */
  public String status() {
    try {
      return Files.readString(statusFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** Values of the status lines that start with {@code key + ": "}. */
  public List<String> statusLines(String key) {
    return status()
        .lines()
        .filter(l -> l.startsWith(key + ": "))
        .map(l -> l.substring(key.length() + 2))
        .toList();
  }

  public ManagedProcess process() {
    return process;
  }

  @Override
  public void close() {
    process.close();
  }
}
