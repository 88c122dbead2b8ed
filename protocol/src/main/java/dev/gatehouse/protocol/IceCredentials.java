package dev.gatehouse.protocol;

/** ICE credentials of one side of a flow (deterministic per client/gateway pair). */
public record IceCredentials(String username, String password) {

  public IceCredentials {
    Require.text(username, "username");
    Require.text(password, "password");
  }
}
