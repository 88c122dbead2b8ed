package dev.gatehouse.operator.inject;

import dev.gatehouse.operator.gateway.GatewayDeployments;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Decides what the mutating webhook does with a pod: inject the Gatehouse client as a native
 * sidecar (an init container with {@code restartPolicy: Always}, Kubernetes ≥ 1.29), leave the pod
 * alone, or refuse it with a message naming the annotation at fault. Pure: the same pod and
 * settings always give the same decision, and a pod that already has the sidecar (in either form)
 * gets no patch, so re-applying and webhook reinvocation are no-ops.
 *
 * <p>The sidecar runs the headless client with its token read from a Secret mounted as a file (key
 * {@value #TOKEN_KEY}): the token never appears in the pod spec. Which Secret depends on the mode:
 *
 * <ul>
 *   <li>{@linkplain #withWorkloadTokens workload tokens} (an operator with a control plane): the
 *       pod's {@value #IDENTITY} names a workload identity; the pod gets a Secret name of its own
 *       in {@value #TOKEN_SECRET}, and the operator's {@link WorkloadTokenReconciler} mints a token
 *       for that pod alone into it, and revokes it when the pod is done or gone;
 *   <li>shared tokens (no control plane in this operator): {@value #IDENTITY} names a Secret that
 *       an administrator filled with a client token, shared by every pod that names it.
 * </ul>
 *
 * It gets the tunnel security context ({@link GatewayDeployments#securityContext()}): NET_ADMIN
 * only, for the TUN device in the pod's own network namespace.
 */
public final class SidecarInjector {

  /** Opt-in label, on the pod or its namespace ({@code "false"} on a pod opts it out). */
  public static final String INJECT = "gatehouse.dev/inject";

  /**
   * Annotation naming the pod's client identity: with workload tokens the identity whose actor
   * ({@code k8s:<namespace>/<identity>}) the pod's own token is minted for; otherwise the Secret
   * (in the pod's namespace) holding a shared client token.
   */
  public static final String IDENTITY = "gatehouse.dev/identity";

  /** Annotation the injector sets with workload tokens: the Secret the pod's token goes into. */
  public static final String TOKEN_SECRET = "gatehouse.dev/token-secret";

  /** Label the injector sets with workload tokens, so the operator watches just these pods. */
  public static final String WORKLOAD_LABEL = "gatehouse.dev/workload-token";

  /** Annotation the injector sets on pods it changed. */
  public static final String INJECTED = "gatehouse.dev/injected";

  public static final String CONTAINER = "gatehouse-client";

  /**
   * The sidecar's probe port ({@code gatehouse-client --health-port}): its startup probe holds the
   * pod's other containers back until the tunnel carries their traffic.
   */
  public static final int HEALTH_PORT = 15480;

  public static final String TOKEN_KEY = "token";
  static final String TOKEN_DIR = "/var/run/secrets/gatehouse";
  static final String STATUS_DIR = "/run/gatehouse-client";
  static final String CA_DIR = "/etc/gatehouse/api-ca";
  static final String VOLUME_PREFIX = "gatehouse-client-";

  private static final Pattern SECRET_NAME =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  /** What to do with one pod. */
  public sealed interface Decision {
    /** Not for us (opted out, an excluded namespace): admitted unchanged. */
    record Skip(String reason) implements Decision {}

    /** The sidecar is there already: admitted unchanged. */
    record AlreadyInjected() implements Decision {}

    /** The pod asks for injection but cannot have it: refused with this message. */
    record Refuse(String message) implements Decision {}

    /** Admitted with these JSON Patch operations (RFC 6902). */
    record Inject(List<Map<String, Object>> patch) implements Decision {}
  }

  private final InjectionSettings settings;
  private final Supplier<String> tokenSecretNames;

  /** Shared tokens: {@value #IDENTITY} names the Secret the sidecar mounts. */
  public SidecarInjector(InjectionSettings settings) {
    this(settings, null);
  }

  private SidecarInjector(InjectionSettings settings, Supplier<String> tokenSecretNames) {
    this.settings = settings;
    this.tokenSecretNames = tokenSecretNames;
  }

  /**
   * Workload tokens: each injected pod mounts a Secret of its own, named by {@code
   * tokenSecretNames} (a pod being created may have no name yet, so the name cannot come from it).
   */
  public static SidecarInjector withWorkloadTokens(
      InjectionSettings settings, Supplier<String> tokenSecretNames) {
    return new SidecarInjector(settings, tokenSecretNames);
  }

  /**
   * @param pod the pod as submitted
   * @param namespace the request's namespace (a pod being created may have none in its metadata)
   */
  public Decision decide(Pod pod, String namespace) {
    if (settings.excludedNamespaces().contains(namespace)) {
      return new Decision.Skip("namespace " + namespace + " is never injected");
    }
    Map<String, String> labels = orEmpty(pod.getMetadata().getLabels());
    if ("false".equals(labels.get(INJECT))) {
      return new Decision.Skip("the pod opts out with " + INJECT + "=false");
    }
    if (hasSidecar(pod)) {
      return new Decision.AlreadyInjected();
    }
    String identity = orEmpty(pod.getMetadata().getAnnotations()).get(IDENTITY);
    if (identity == null || identity.isBlank()) {
      return new Decision.Refuse(
          "gatehouse sidecar injection: annotation "
              + IDENTITY
              + " is required: "
              + (tokenSecretNames != null
                  ? "the name of the workload's client identity (its actor is k8s:"
                      + namespace
                      + "/<identity>)"
                  : "the name of a Secret in namespace "
                      + namespace
                      + " whose key '"
                      + TOKEN_KEY
                      + "' holds the client token"));
    }
    if (identity.length() > 253 || !SECRET_NAME.matcher(identity).matches()) {
      return new Decision.Refuse(
          "gatehouse sidecar injection: annotation "
              + IDENTITY
              + ": '"
              + identity
              + "' is not a valid "
              + (tokenSecretNames != null ? "identity" : "Secret")
              + " name (lower-case DNS subdomain, at most 253 characters)");
    }
    return new Decision.Inject(
        tokenSecretNames != null
            ? patch(pod, tokenSecretNames.get(), true)
            : patch(pod, identity, false));
  }

  /** Whether the pod has the client container already, as a native sidecar or a plain container. */
  static boolean hasSidecar(Pod pod) {
    if (pod.getSpec() == null) {
      return false;
    }
    return named(pod.getSpec().getInitContainers()) || named(pod.getSpec().getContainers());
  }

  private static boolean named(List<Container> containers) {
    return containers != null && containers.stream().anyMatch(c -> CONTAINER.equals(c.getName()));
  }

  private List<Map<String, Object>> patch(Pod pod, String tokenSecret, boolean workloadToken) {
    List<Map<String, Object>> ops = new ArrayList<>();
    // First among the init containers: the tunnel is up before the others and the app start.
    if (pod.getSpec().getInitContainers() == null || pod.getSpec().getInitContainers().isEmpty()) {
      ops.add(op("add", "/spec/initContainers", List.of(sidecar())));
    } else {
      ops.add(op("add", "/spec/initContainers/0", sidecar()));
    }
    List<Volume> volumes = volumes(tokenSecret);
    if (pod.getSpec().getVolumes() == null || pod.getSpec().getVolumes().isEmpty()) {
      ops.add(op("add", "/spec/volumes", volumes));
    } else {
      for (Volume v : volumes) {
        ops.add(op("add", "/spec/volumes/-", v));
      }
    }
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(INJECTED, CONTAINER);
    if (workloadToken) {
      annotations.put(TOKEN_SECRET, tokenSecret);
      addAll(
          ops, "/metadata/labels", pod.getMetadata().getLabels(), Map.of(WORKLOAD_LABEL, "true"));
    }
    addAll(ops, "/metadata/annotations", pod.getMetadata().getAnnotations(), annotations);
    return ops;
  }

  Container sidecar() {
    List<String> args = new ArrayList<>();
    args.addAll(List.of("--api", settings.apiUrl()));
    args.addAll(List.of("--token-file", TOKEN_DIR + "/" + TOKEN_KEY));
    args.addAll(List.of("--status-file", STATUS_DIR + "/status"));
    args.addAll(List.of("--health-port", Integer.toString(HEALTH_PORT)));
    ContainerBuilder c =
        new ContainerBuilder()
            .withName(CONTAINER)
            .withImage(settings.clientImage())
            .withRestartPolicy("Always")
            // A native sidecar's startup probe gates the containers after it: the app starts
            // once the client is connected and its routes are in place, never around the tunnel.
            .withNewStartupProbe()
            .withNewHttpGet()
            .withPath("/readyz")
            .withPort(new io.fabric8.kubernetes.api.model.IntOrString(HEALTH_PORT))
            .endHttpGet()
            .withPeriodSeconds(1)
            .withFailureThreshold(300)
            .endStartupProbe()
            .withSecurityContext(GatewayDeployments.securityContext())
            .addNewVolumeMount()
            .withName(VOLUME_PREFIX + "token")
            .withMountPath(TOKEN_DIR)
            .withReadOnly(true)
            .endVolumeMount()
            .addNewVolumeMount()
            .withName(VOLUME_PREFIX + "tun")
            .withMountPath(GatewayDeployments.TUN_DEVICE)
            .endVolumeMount()
            .addNewVolumeMount()
            .withName(VOLUME_PREFIX + "run")
            .withMountPath(STATUS_DIR)
            .endVolumeMount()
            .addNewVolumeMount()
            .withName(VOLUME_PREFIX + "run")
            .withMountPath("/tmp")
            .withSubPath("tmp")
            .endVolumeMount()
            .withNewResources()
            .addToRequests("cpu", new io.fabric8.kubernetes.api.model.Quantity("50m"))
            .addToRequests("memory", new io.fabric8.kubernetes.api.model.Quantity("128Mi"))
            .addToLimits("memory", new io.fabric8.kubernetes.api.model.Quantity("256Mi"))
            .endResources();
    if (settings.caConfigMap() != null) {
      args.addAll(List.of("--ca-file", CA_DIR + "/ca.crt"));
      c.addNewVolumeMount()
          .withName(VOLUME_PREFIX + "ca")
          .withMountPath(CA_DIR)
          .withReadOnly(true)
          .endVolumeMount();
    }
    return c.withArgs(args).build();
  }

  private List<Volume> volumes(String tokenSecret) {
    List<Volume> v = new ArrayList<>();
    v.add(
        new VolumeBuilder()
            .withName(VOLUME_PREFIX + "token")
            .withNewSecret()
            .withSecretName(tokenSecret)
            .addNewItem()
            .withKey(TOKEN_KEY)
            .withPath(TOKEN_KEY)
            .endItem()
            .withDefaultMode(0400)
            .endSecret()
            .build());
    v.add(
        new VolumeBuilder()
            .withName(VOLUME_PREFIX + "tun")
            .withNewHostPath()
            .withPath(GatewayDeployments.TUN_DEVICE)
            .withType("CharDevice")
            .endHostPath()
            .build());
    v.add(
        new VolumeBuilder()
            .withName(VOLUME_PREFIX + "run")
            .withNewEmptyDir()
            .withMedium("Memory")
            .endEmptyDir()
            .build());
    Optional.ofNullable(settings.caConfigMap())
        .ifPresent(
            cm ->
                v.add(
                    new VolumeBuilder()
                        .withName(VOLUME_PREFIX + "ca")
                        .withNewConfigMap()
                        .withName(cm)
                        .endConfigMap()
                        .build()));
    return v;
  }

  /** Adds {@code entries} to the map at {@code path}, which may not exist yet. */
  private static void addAll(
      List<Map<String, Object>> ops,
      String path,
      Map<String, String> existing,
      Map<String, String> entries) {
    if (existing == null) {
      ops.add(op("add", path, entries));
      return;
    }
    entries.forEach((k, v) -> ops.add(op("add", path + "/" + escape(k), v)));
  }

  private static Map<String, Object> op(String op, String path, Object value) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("op", op);
    m.put("path", path);
    m.put("value", value);
    return m;
  }

  /** A JSON Pointer token (RFC 6901): {@code ~} and {@code /} escaped. */
  static String escape(String token) {
    return token.replace("~", "~0").replace("/", "~1");
  }

  private static Map<String, String> orEmpty(Map<String, String> m) {
    return m == null ? Map.of() : m;
  }
}
