package dev.gatehouse.apinode.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.apinode.store.AdminStore;
import dev.gatehouse.apinode.store.FlowStore;
import dev.gatehouse.controlplane.pg.Groups;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Set;
import java.util.UUID;

/**
 * The admin REST API, transport-free: {@link #handle} takes the method, path, bearer token and body
 * and returns a status and a JSON body. Endpoints (all JSON, all under the node's account):
 *
 * <pre>
 * POST   /admin/actors          {"name","type"?}            → {"id"}
 * GET    /admin/actors                                      → [{"id","name","type"}]
 * POST   /admin/groups          {"name"}                    → 201 {"id","created":true}, or 200
 *                                                             {"id","created":false} when a live
 *                                                             group has that name (a Policy may
 *                                                             have made it)
 * GET    /admin/groups                                      → [{"id","name","members"}]
 * POST   /admin/memberships     {"actor_id","group_id"} or {"actor_id","group"} (a group name)
 *                                                           → {"id"}
 * DELETE /admin/memberships/{id}                            → 204
 * POST   /admin/client-tokens   {"actor_id","ttl_seconds"?} → {"id","token","expires_at"}
 * DELETE /admin/tokens/{id}                                 → 204 (disconnects its channels)
 * GET    /admin/flows                                       → [{"id","client_id",...}]
 * </pre>
 *
 * The admin token is compared in constant time (both sides hashed, {@link MessageDigest#isEqual}).
 */
public final class AdminApi {

  /** An HTTP answer. */
  public record Response(int status, String json) {}

  private static final Set<String> ACTOR_TYPES =
      Set.of("account_user", "account_admin_user", "service_account");

  private final ObjectMapper json = new ObjectMapper();
  private final byte[] adminTokenHash;
  private final UUID accountId;
  private final AdminStore admin;
  private final FlowStore flows;
  private final InstantSource clock;

  public AdminApi(
      String adminToken, UUID accountId, AdminStore admin, FlowStore flows, InstantSource clock) {
    this.adminTokenHash = sha256(adminToken);
    this.accountId = accountId;
    this.admin = admin;
    this.flows = flows;
    this.clock = clock;
  }

  public Response handle(String method, String path, String bearer, String body) {
    if (bearer == null || !MessageDigest.isEqual(sha256(bearer), adminTokenHash)) {
      return error(401, "invalid_admin_token", "send 'Authorization: Bearer <admin token>'");
    }
    try {
      JsonNode in = body == null || body.isBlank() ? json.createObjectNode() : json.readTree(body);
      String[] parts = path.replaceAll("/+$", "").split("/");
      // parts: "", "admin", collection, [id]
      if (parts.length < 3) {
        return error(404, "not_found", "unknown admin path " + path);
      }
      String collection = parts[2];
      String id = parts.length > 3 ? parts[3] : null;
      return switch (method + " " + collection + (id == null ? "" : "/{id}")) {
        case "POST actors" -> {
          String type = in.path("type").asText("account_user");
          if (!ACTOR_TYPES.contains(type)) {
            yield error(400, "bad_request", "type must be one of " + ACTOR_TYPES);
          }
          yield created(admin.createActor(accountId, required(in, "name"), type));
        }
        case "GET actors" -> new Response(200, json.writeValueAsString(admin.actors(accountId)));
        case "POST groups" -> {
          Groups.Found group = admin.ensureGroup(accountId, required(in, "name"));
          ObjectNode out = json.createObjectNode();
          out.put("id", group.id().toString());
          out.put("created", group.created());
          yield new Response(group.created() ? 201 : 200, out.toString());
        }
        case "GET groups" -> new Response(200, json.writeValueAsString(admin.groups(accountId)));
        case "POST memberships" -> {
          UUID actor = UUID.fromString(required(in, "actor_id"));
          if (in.hasNonNull("group_id")) {
            yield created(
                admin.createMembership(
                    accountId, actor, UUID.fromString(required(in, "group_id"))));
          }
          String name = required(in, "group");
          var group = admin.groupNamed(accountId, name);
          yield group.isPresent()
              ? created(admin.createMembership(accountId, actor, group.get()))
              : error(
                  404,
                  "not_found",
                  "no group named '" + name + "': create it with POST /admin/groups");
        }
        case "DELETE memberships/{id}" ->
            admin.deleteMembership(accountId, UUID.fromString(id))
                ? new Response(204, "")
                : error(404, "not_found", "no membership " + id);
        case "POST client-tokens" -> {
          long ttl = in.path("ttl_seconds").asLong(Duration.ofDays(30).toSeconds());
          if (ttl <= 0) {
            yield error(400, "bad_request", "ttl_seconds must be positive");
          }
          AdminStore.NewToken t =
              admin.createClientToken(
                  accountId,
                  UUID.fromString(required(in, "actor_id")),
                  clock.instant().plusSeconds(ttl));
          ObjectNode out = json.createObjectNode();
          out.put("id", t.id().toString());
          out.put("token", t.secret());
          out.put("expires_at", t.expiresAt().toString());
          yield new Response(201, out.toString());
        }
        case "DELETE tokens/{id}" ->
            admin.deleteToken(accountId, UUID.fromString(id))
                ? new Response(204, "")
                : error(404, "not_found", "no live token " + id);
        case "GET flows" -> {
          var arr = json.createArrayNode();
          for (FlowStore.FlowRecord f : flows.live(accountId, 1000)) {
            ObjectNode o = arr.addObject();
            o.put("id", f.id().toString());
            o.put("client_id", f.clientId().toString());
            o.put("gateway_id", f.gatewayId().toString());
            o.put("resource_id", f.resourceId().toString());
            o.put("policy_id", f.policyId().toString());
            o.put("expires_at", f.expiresAt().toString());
            o.put("inserted_at", f.insertedAt().toString());
          }
          yield new Response(200, arr.toString());
        }
        default -> error(404, "not_found", "no endpoint " + method + " " + path);
      };
    } catch (IllegalArgumentException e) {
      return error(400, "bad_request", e.getMessage());
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      return error(400, "bad_request", "body is not JSON");
    } catch (SQLException e) {
      if (e.getSQLState() != null && e.getSQLState().startsWith("23")) {
        return error(409, "conflict", e.getMessage().lines().findFirst().orElse(""));
      }
      return error(503, "database_unavailable", e.getMessage().lines().findFirst().orElse(""));
    }
  }

  private static String required(JsonNode in, String field) {
    JsonNode v = in.get(field);
    if (v == null || !v.isTextual() || v.asText().isBlank()) {
      throw new IllegalArgumentException("missing string field " + field);
    }
    return v.asText();
  }

  private Response created(UUID id) {
    return new Response(201, "{\"id\":\"" + id + "\"}");
  }

  private Response error(int status, String error, String detail) {
    ObjectNode o = json.createObjectNode();
    o.put("error", error);
    o.put("detail", detail);
    return new Response(status, o.toString());
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
