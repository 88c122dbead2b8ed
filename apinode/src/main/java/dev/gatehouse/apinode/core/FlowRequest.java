package dev.gatehouse.apinode.core;

import dev.gatehouse.protocol.ClientOutbound;
import dev.gatehouse.protocol.GatewayOutbound;
import dev.gatehouse.protocol.IceCredentials;
import dev.gatehouse.protocol.ProxiedDomain;
import dev.gatehouse.protocol.ResourceDescription;
import java.util.UUID;

/**
 * A recorded flow on its way from the client's node to the gateway's node: everything the gateway
 * must be told in {@code authorize_flow}, and the {@code flow_created} answer the client gets once
 * the gateway confirms. Travels between replicas as JSON (see {@code bus}).
 *
 * @param clientNode the node holding the client's channel (where the answer goes)
 * @param clientRef the ref of the client's {@code create_flow}
 * @param expiresAtMillis when the flow ends (epoch ms)
 * @param domain the name and proxy addresses of a {@code dns} resource's flow; null otherwise
 */
public record FlowRequest(
    UUID flowId,
    String clientNode,
    String clientRef,
    UUID clientId,
    UUID gatewayId,
    ResourceDescription resource,
    GatewayOutbound.ClientPeer client,
    IceCredentials clientIceCredentials,
    IceCredentials gatewayIceCredentials,
    long expiresAtMillis,
    ClientOutbound.FlowCreated answer,
    ProxiedDomain domain) {}
