package dev.gatehouse.apinode.admin;

import dev.gatehouse.apinode.net.PemFiles;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code gatehouse-admin}: a small CLI over the admin REST API of any API node. Prints the JSON
 * answer; exits 0 on 2xx, 1 on an HTTP error (the body says why), 2 on usage errors.
 *
 * <pre>
 * gatehouse-admin --url http://operator:8443 actor create --name alice
 * gatehouse-admin group create --name engineering
 * gatehouse-admin membership create --actor &lt;id&gt; --group &lt;id&gt;
 * gatehouse-admin token create --actor &lt;id&gt; --ttl-seconds 86400
 * gatehouse-admin token delete --id &lt;id&gt;
 * gatehouse-admin flows
 * </pre>
 *
 * The admin token comes from {@code --admin-token} or {@code GATEHOUSE_ADMIN_TOKEN}.
 */
@Command(
    name = "gatehouse-admin",
    mixinStandardHelpOptions = true,
    description = "Administer Gatehouse actors, groups, memberships, client tokens and flows.",
    subcommands = {
      AdminCli.Actor.class,
      AdminCli.Group.class,
      AdminCli.Membership.class,
      AdminCli.Token.class,
      AdminCli.Flows.class
    })
public final class AdminCli implements Callable<Integer> {

  @Option(names = "--url", defaultValue = "${env:GATEHOUSE_API_URL:-http://127.0.0.1:8443}")
  String url;

  @Option(names = "--admin-token", defaultValue = "${env:GATEHOUSE_ADMIN_TOKEN}")
  String adminToken;

  @Option(
      names = "--ca-file",
      defaultValue = "${env:GATEHOUSE_CA_FILE}",
      description =
          "PEM bundle of the CA(s) to trust for an https:// --url instead of the JDK's (env"
              + " GATEHOUSE_CA_FILE)")
  Path caFile;

  private PrintWriter out;

  public static void main(String[] args) {
    System.exit(run(new PrintWriter(System.out, true), args));
  }

  /** Runs the CLI, printing to {@code out}; returns the exit code. */
  public static int run(PrintWriter out, String... args) {
    AdminCli cli = new AdminCli();
    cli.out = out;
    return new CommandLine(cli).setOut(out).setErr(out).execute(args);
  }

  @Override
  public Integer call() {
    out.println("choose a command: actor, group, membership, token, flows (--help)");
    return 2;
  }

  int request(String method, String path, String json) {
    if (adminToken == null || adminToken.isBlank()) {
      out.println(
          "{\"error\":\"missing_admin_token\",\"detail\":\"pass --admin-token or set GATEHOUSE_ADMIN_TOKEN\"}");
      return 2;
    }
    try {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(url.replaceAll("/+$", "") + path))
              .timeout(Duration.ofSeconds(30))
              .header("Authorization", "Bearer " + adminToken)
              .header("Content-Type", "application/json")
              .method(
                  method,
                  json == null
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofString(json));
      HttpResponse<String> r;
      HttpClient.Builder client = HttpClient.newBuilder();
      if (caFile != null) {
        try {
          client.sslContext(PemFiles.trusting(caFile));
        } catch (IllegalArgumentException e) {
          out.println("{\"error\":\"bad_ca_file\",\"detail\":" + q(e.getMessage()) + "}");
          return 2;
        }
      }
      try (HttpClient http = client.build()) {
        r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      }
      out.println(r.body().isEmpty() ? "{\"status\":" + r.statusCode() + "}" : r.body());
      return r.statusCode() / 100 == 2 ? 0 : 1;
    } catch (Exception e) {
      String detail =
          e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
      out.println("{\"error\":\"unreachable\",\"detail\":" + q(detail) + "}");
      return 1;
    }
  }

  private static String q(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  @Command(name = "actor", description = "Create or list actors.")
  static final class Actor {
    @ParentCommand AdminCli root;

    @Command(name = "create")
    int create(
        @Option(names = "--name", required = true) String name,
        @Option(names = "--type", defaultValue = "account_user") String type) {
      return root.request(
          "POST", "/admin/actors", "{\"name\":" + q(name) + ",\"type\":" + q(type) + "}");
    }

    @Command(name = "list")
    int list() {
      return root.request("GET", "/admin/actors", null);
    }
  }

  @Command(name = "group", description = "Create (or find) groups by name, or list them.")
  static final class Group {
    @ParentCommand AdminCli root;

    @Command(name = "create")
    int create(@Option(names = "--name", required = true) String name) {
      return root.request("POST", "/admin/groups", "{\"name\":" + q(name) + "}");
    }

    @Command(name = "list")
    int list() {
      return root.request("GET", "/admin/groups", null);
    }
  }

  @Command(name = "membership", description = "Add actors to groups, or remove them.")
  static final class Membership {
    @ParentCommand AdminCli root;

    @Command(name = "create")
    int create(
        @Option(names = "--actor", required = true, description = "the actor's id") String actor,
        @Option(
                names = "--group",
                required = true,
                description = "the group's id or name (as a Policy's spec.group names it)")
            String group) {
      String groupField = isUuid(group) ? "group_id" : "group";
      return root.request(
          "POST",
          "/admin/memberships",
          "{\"actor_id\":" + q(actor) + ",\"" + groupField + "\":" + q(group) + "}");
    }

    private static boolean isUuid(String s) {
      try {
        return java.util.UUID.fromString(s).toString().equalsIgnoreCase(s);
      } catch (IllegalArgumentException e) {
        return false;
      }
    }

    @Command(name = "delete")
    int delete(@Option(names = "--id", required = true) String id) {
      return root.request("DELETE", "/admin/memberships/" + id, null);
    }
  }

  @Command(name = "token", description = "Issue client tokens (shown once) or delete tokens.")
  static final class Token {
    @ParentCommand AdminCli root;

    @Command(name = "create")
    int create(
        @Option(names = "--actor", required = true) String actor,
        @Option(names = "--ttl-seconds", defaultValue = "2592000") long ttl) {
      return root.request(
          "POST",
          "/admin/client-tokens",
          "{\"actor_id\":" + q(actor) + ",\"ttl_seconds\":" + ttl + "}");
    }

    @Command(name = "delete")
    int delete(@Option(names = "--id", required = true) String id) {
      return root.request("DELETE", "/admin/tokens/" + id, null);
    }
  }

  @Command(name = "flows", description = "List live flows.")
  static final class Flows implements Callable<Integer> {
    @ParentCommand AdminCli root;

    @Override
    public Integer call() {
      return root.request("GET", "/admin/flows", null);
    }
  }
}
