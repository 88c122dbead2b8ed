package dev.gatehouse.protocol;

/**
 * A TURN relay the receiver may allocate on, with time-limited credentials (Firezone's stateless
 * scheme: {@code username = "<expiry>:<salt>"}, the password derived from a secret the relay shares
 * with the API node), so the relay keeps no user table. Sent in {@code init}.
 *
 * @param id a stable name of the relay
 * @param type {@code turn}
 * @param addr {@code host:port} of its UDP listener ({@code [v6]:port} for IPv6)
 * @param expiresAt Unix seconds after which the credentials are refused
 */
public record Relay(
    String id, String type, String addr, String username, String password, long expiresAt) {
  public static final String TURN = "turn";

  public Relay {
    Require.text(id, "id");
    Require.text(type, "type");
    Require.text(addr, "addr");
    Require.text(username, "username");
    Require.text(password, "password");
  }
}
