package dev.gatehouse.apinode.bus;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.gatehouse.apinode.core.FlowRequest;
import dev.gatehouse.protocol.ClientOutbound;
import java.util.List;
import java.util.UUID;

/** What one API node tells another about a channel it holds. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = NodeMessage.AuthorizeFlow.class, name = "authorize_flow"),
  @JsonSubTypes.Type(value = NodeMessage.FlowAnswer.class, name = "flow_answer"),
  @JsonSubTypes.Type(value = NodeMessage.CandidatesForGateway.class, name = "gateway_candidates"),
  @JsonSubTypes.Type(value = NodeMessage.CandidatesForClient.class, name = "client_candidates")
})
public sealed interface NodeMessage {

  /** To the gateway's node: push {@code authorize_flow} to the request's gateway. */
  record AuthorizeFlow(FlowRequest request) implements NodeMessage {}

  /**
   * To the client's node: the answer to its {@code create_flow} ({@code created}, or {@code
   * failure} such as {@code offline} when the gateway was not connected there any more, with an
   * optional {@code detail} for the client's log).
   */
  record FlowAnswer(
      UUID clientId,
      String clientRef,
      ClientOutbound.FlowCreated created,
      String failure,
      String detail)
      implements NodeMessage {

    public FlowAnswer(
        UUID clientId, String clientRef, ClientOutbound.FlowCreated created, String failure) {
      this(clientId, clientRef, created, failure, null);
    }
  }

  /** To a gateway's node: candidates from a client. */
  record CandidatesForGateway(UUID gatewayId, UUID clientId, List<String> candidates)
      implements NodeMessage {}

  /** To a client's node: candidates from a gateway. */
  record CandidatesForClient(UUID clientId, UUID gatewayId, List<String> candidates)
      implements NodeMessage {}
}
