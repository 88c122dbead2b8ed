package dev.gatehouse.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.PodDNSConfig;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import java.util.List;
import java.util.Map;

/** Scheduling, DNS and resource settings copied into the gateway pod template. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.dnsPolicy) || self.dnsPolicy != 'None' || (has(self.dnsConfig)"
            + " && has(self.dnsConfig.nameservers) && size(self.dnsConfig.nameservers) > 0)",
    message = "spec.pod.dnsPolicy None needs spec.pod.dnsConfig.nameservers: the pod has no other")
public class PodOverrides {
  /** A pod's DNS policy, as Kubernetes names them. */
  public enum DnsPolicy {
    ClusterFirst,
    ClusterFirstWithHostNet,
    Default,
    None
  }

  /** Which UDP socket the gateway's tunnel runs on ({@code GATEHOUSE_UDP_SOCKET}). */
  public enum UdpSocket {
    @JsonProperty("linux")
    LINUX,
    @JsonProperty("netty")
    NETTY
  }

  @JsonPropertyDescription("CPU and memory requests and limits of the gateway container.")
  private ResourceRequirements resources;

  @JsonPropertyDescription("Node labels the gateway pods must be scheduled on.")
  private Map<String, String> nodeSelector;

  @JsonPropertyDescription("Tolerations of the gateway pods.")
  private List<Toleration> tolerations;

  @JsonPropertyDescription("Affinity and anti-affinity of the gateway pods.")
  private Affinity affinity;

  @JsonPropertyDescription(
      "How gateway pods spread over zones or nodes. When unset, pods prefer distinct nodes.")
  private List<TopologySpreadConstraint> topologySpreadConstraints;

  @JsonPropertyDescription("Extra annotations for the gateway pods.")
  private Map<String, String> annotations;

  @JsonPropertyDescription("Extra labels for the gateway pods.")
  private Map<String, String> labels;

  @JsonPropertyDescription(
      "Whether the operator sets net.ipv4.ip_forward=1 in the gateway pods' securityContext.sysctls"
          + " (their own network namespace only; the pods stay unprivileged). Gateways forward"
          + " client traffic and report their tunnel not ready without it. It is an 'unsafe'"
          + " sysctl: the kubelet of every node that may run gateways must allow it"
          + " (--allowed-unsafe-sysctls=net.ipv4.ip_forward, or allowedUnsafeSysctls in its"
          + " KubeletConfiguration), otherwise the pods fail with reason SysctlForbidden. Set"
          + " false only when something else turns forwarding on in the pods (a CNI plugin, an"
          + " admission webhook).")
  @Default("true")
  private Boolean ipForwardSysctl = true;

  @JsonPropertyDescription(
      "DNS policy of the gateway pods (default ClusterFirst). Gateways resolve the names of DNS"
          + " Resources with the pod's resolver, so this and dnsConfig decide which servers answer"
          + " them.")
  private DnsPolicy dnsPolicy;

  @JsonPropertyDescription(
      "Extra nameservers, search domains and resolver options of the gateway pods, e.g. a"
          + " company DNS server for names outside the cluster (needed with dnsPolicy None).")
  private PodDNSConfig dnsConfig;

  @JsonPropertyDescription(
      "The UDP socket the gateways' tunnel runs on: linux (default), the kernel's socket called"
          + " directly, with UDP GRO/GSO and nothing allocated per datagram; netty, Netty's epoll"
          + " socket, a fallback should a node's kernel or seccomp profile refuse the default's"
          + " calls. Sets GATEHOUSE_UDP_SOCKET.")
  private UdpSocket udpSocket;

  @JsonPropertyDescription("PriorityClass of the gateway pods.")
  @Size(max = 253)
  private String priorityClassName;

  public ResourceRequirements getResources() {
    return resources;
  }

  public void setResources(ResourceRequirements resources) {
    this.resources = resources;
  }

  public Map<String, String> getNodeSelector() {
    return nodeSelector;
  }

  public void setNodeSelector(Map<String, String> nodeSelector) {
    this.nodeSelector = nodeSelector;
  }

  public List<Toleration> getTolerations() {
    return tolerations;
  }

  public void setTolerations(List<Toleration> tolerations) {
    this.tolerations = tolerations;
  }

  public Affinity getAffinity() {
    return affinity;
  }

  public void setAffinity(Affinity affinity) {
    this.affinity = affinity;
  }

  public List<TopologySpreadConstraint> getTopologySpreadConstraints() {
    return topologySpreadConstraints;
  }

  public void setTopologySpreadConstraints(
      List<TopologySpreadConstraint> topologySpreadConstraints) {
    this.topologySpreadConstraints = topologySpreadConstraints;
  }

  public Map<String, String> getAnnotations() {
    return annotations;
  }

  public void setAnnotations(Map<String, String> annotations) {
    this.annotations = annotations;
  }

  public Map<String, String> getLabels() {
    return labels;
  }

  public void setLabels(Map<String, String> labels) {
    this.labels = labels;
  }

  public Boolean getIpForwardSysctl() {
    return ipForwardSysctl;
  }

  public void setIpForwardSysctl(Boolean ipForwardSysctl) {
    this.ipForwardSysctl = ipForwardSysctl;
  }

  public UdpSocket getUdpSocket() {
    return udpSocket;
  }

  public void setUdpSocket(UdpSocket udpSocket) {
    this.udpSocket = udpSocket;
  }

  public DnsPolicy getDnsPolicy() {
    return dnsPolicy;
  }

  public void setDnsPolicy(DnsPolicy dnsPolicy) {
    this.dnsPolicy = dnsPolicy;
  }

  public PodDNSConfig getDnsConfig() {
    return dnsConfig;
  }

  public void setDnsConfig(PodDNSConfig dnsConfig) {
    this.dnsConfig = dnsConfig;
  }

  public String getPriorityClassName() {
    return priorityClassName;
  }

  public void setPriorityClassName(String priorityClassName) {
    this.priorityClassName = priorityClassName;
  }
}
