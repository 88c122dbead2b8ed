package dev.gatehouse.gateway.config;

import java.util.List;

/** The gateway's variables are missing or invalid; the message names each variable at fault. */
public final class GatewayConfigException extends IllegalArgumentException {

  private final List<String> problems;

  public GatewayConfigException(String message, List<String> problems) {
    super(message);
    this.problems = List.copyOf(problems);
  }

  /** One entry per problem, each starting with the variable's name. */
  public List<String> problems() {
    return problems;
  }
}
