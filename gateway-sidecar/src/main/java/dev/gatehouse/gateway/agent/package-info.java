/**
 * The gateway's pure core ({@link dev.gatehouse.gateway.agent.GatewayAgent}): control-channel
 * messages and the time in; peers, per-client access rules and replies out. No I/O.
 */
package dev.gatehouse.gateway.agent;
