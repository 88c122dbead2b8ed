package dev.gatehouse.operator.cluster;

import dev.gatehouse.operator.model.Gateway;
import dev.gatehouse.operator.sync.ControlPlaneSync;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A control plane that only remembers which Gateways one operator instance reconciled, so a test
 * can tell which of several replicas did the work. A dynamic proxy, so that it keeps working as
 * {@link ControlPlaneSync} grows methods and parameters: it records every {@code upsertSite*}
 * call's Gateway and otherwise answers as {@link ControlPlaneSync#DISCONNECTED} does.
 */
final class RecordingControlPlane {
  private final List<String> sites = new CopyOnWriteArrayList<>();
  private final ControlPlaneSync sync =
      (ControlPlaneSync)
          Proxy.newProxyInstance(
              ControlPlaneSync.class.getClassLoader(),
              new Class<?>[] {ControlPlaneSync.class},
              (proxy, method, args) -> {
                switch (method.getName()) {
                  case "toString" -> {
                    return "RecordingControlPlane" + sites;
                  }
                  case "hashCode" -> {
                    return System.identityHashCode(proxy);
                  }
                  case "equals" -> {
                    return proxy == args[0];
                  }
                  default -> {
                    if (method.getName().startsWith("upsertSite")
                        && args != null
                        && args[0] instanceof Gateway gateway) {
                      sites.add(
                          gateway.getMetadata().getNamespace()
                              + "/"
                              + gateway.getMetadata().getName());
                    }
                    // everything else as a control plane without a database answers
                    return method.invoke(ControlPlaneSync.DISCONNECTED, args);
                  }
                }
              });

  /** What to hand to {@code GatehouseOperator.create}. */
  ControlPlaneSync sync() {
    return sync;
  }

  /** {@code namespace/name} of every Gateway this instance reconciled, in order, with repeats. */
  List<String> sites() {
    return List.copyOf(sites);
  }
}
