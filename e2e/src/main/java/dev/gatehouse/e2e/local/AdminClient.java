package dev.gatehouse.e2e.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** The API node's admin REST API, as an administrator (or {@code gatehouse-admin}) uses it. */
public final class AdminClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI base;
  private final String token;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public AdminClient(URI base, String token) {
    this.base = base;
    this.token = token;
  }

  /** A client identity that belongs to {@code group}: actor, group, membership and a token. */
  public record ClientIdentity(String actorId, String groupId, String token) {}

  public ClientIdentity createClient(String actorName, String group)
      throws IOException, InterruptedException {
    String actor = post("/admin/actors", Map.of("name", actorName)).path("id").asText();
    String groupId = post("/admin/groups", Map.of("name", group)).path("id").asText();
    post("/admin/memberships", Map.of("actor_id", actor, "group_id", groupId));
    String secret =
        post("/admin/client-tokens", Map.of("actor_id", actor, "ttl_seconds", 86_400))
            .path("token")
            .asText();
    return new ClientIdentity(actor, groupId, secret);
  }

  /**
   * A workload identity's service account ({@code k8s:<namespace>/<identity>}, as the operator
   * names it) in {@code group}, made before any pod runs as it: an administrator grants access
   * first. No token: the operator mints one per injected pod.
   *
   * @return the actor's id
   */
  public String createServiceAccount(String actorName, String group)
      throws IOException, InterruptedException {
    String actor =
        post("/admin/actors", Map.of("name", actorName, "type", "service_account"))
            .path("id")
            .asText();
    String groupId = post("/admin/groups", Map.of("name", group)).path("id").asText();
    post("/admin/memberships", Map.of("actor_id", actor, "group_id", groupId));
    return actor;
  }

  /** The flows the API node knows of. */
  public JsonNode flows() throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(base.resolve("/admin/flows")).GET());
  }

  private JsonNode post(String path, Map<String, Object> body)
      throws IOException, InterruptedException {
    return send(
        HttpRequest.newBuilder(base.resolve(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
  }

  private JsonNode send(HttpRequest.Builder request) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            request
                .header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(15))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IOException(
          request.build().uri() + " answered " + response.statusCode() + ": " + response.body());
    }
    return JSON.readTree(response.body());
  }
}
