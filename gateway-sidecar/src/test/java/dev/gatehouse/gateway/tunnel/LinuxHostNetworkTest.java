package dev.gatehouse.gateway.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parts of {@link LinuxHostNetwork} that need no privileges; the netns IT runs the rest. */
class LinuxHostNetworkTest {

  @TempDir Path dir;

  @Test
  void masqueradeScriptReplacesItsOwnTableOnly() {
    String script = LinuxHostNetwork.script("gatehouse0", true, false);
    assertThat(script)
        .startsWith("table inet gatehouse_gatehouse0 {}\ndelete table inet gatehouse_gatehouse0\n")
        .contains("type nat hook postrouting priority srcnat; policy accept;")
        .contains("iifname \"gatehouse0\" oifname != \"gatehouse0\" meta nfproto ipv4 masquerade")
        .doesNotContain("ipv6 masquerade");
    assertThat(LinuxHostNetwork.script("gh-0.x", false, true))
        .contains("table inet gatehouse_gh_0_x {")
        .contains("meta nfproto ipv6 masquerade")
        .doesNotContain("ipv4 masquerade");
  }

  @Test
  void forwardingIsOnlyWrittenWhenOffAndAReadOnlySysctlSaysWhatToDo() throws Exception {
    Path on = Files.writeString(dir.resolve("on"), "1\n");
    on.toFile().setReadOnly();
    LinuxHostNetwork.enableForwarding(on, "net.ipv4.ip_forward", true); // no write needed

    Path off = Files.writeString(dir.resolve("off"), "0\n");
    LinuxHostNetwork.enableForwarding(off, "net.ipv4.ip_forward", true);
    assertThat(Files.readString(off)).isEqualTo("1\n");

    Path missing = dir.resolve("missing");
    LinuxHostNetwork.enableForwarding(missing, "net.ipv6.conf.all.forwarding", false);
    assertThatThrownBy(
            () -> LinuxHostNetwork.enableForwarding(missing, "net.ipv4.ip_forward", true))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("net.ipv4.ip_forward");
  }

  @Test
  void aSysctlThatStaysOffSaysHowToTurnItOnInAPod() throws Exception {
    // A file that reads as "not 1" and refuses writes even from root (who ignores file modes),
    // like /proc/sys in a pod without the sysctl.
    Path readOnlyOff = Path.of("/proc/version");
    assertThatThrownBy(
            () -> LinuxHostNetwork.enableForwarding(readOnlyOff, "net.ipv4.ip_forward", true))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("net.ipv4.ip_forward is 0 and cannot be set")
        .hasMessageContaining("securityContext.sysctls")
        .hasMessageContaining("spec.pod.ipForwardSysctl");
  }
}
