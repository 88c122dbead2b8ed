package dev.gatehouse.protocol;

import java.util.List;

/**
 * A name under a {@code dns} resource and the proxy addresses the client handed out for it (from
 * 100.96.0.0/11). Carried by {@code create_flow} and {@code authorize_flow}: the gateway resolves
 * {@code name} itself and translates packets to the proxy addresses into packets to the real ones.
 *
 * @param name a fully qualified name, lowercase, without the trailing dot
 * @param proxyIps the client's proxy addresses for the name, in text form
 */
public record ProxiedDomain(String name, List<String> proxyIps) {

  public ProxiedDomain {
    Require.text(name, "domain.name");
    name = DomainPattern.normalize(name);
    if (name.length() > 253) {
      throw new IllegalArgumentException("domain.name is longer than 253 characters");
    }
    proxyIps = Require.list(proxyIps);
    if (proxyIps.isEmpty()) {
      throw new IllegalArgumentException("missing field domain.proxy_ips");
    }
    if (proxyIps.size() > 8) {
      throw new IllegalArgumentException("domain.proxy_ips has more than 8 addresses");
    }
  }
}
