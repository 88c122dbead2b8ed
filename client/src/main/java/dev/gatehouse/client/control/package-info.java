/**
 * The control-channel client shared by the headless client and the gateway: one WebSocket to an API
 * node (JDK {@link java.net.http.WebSocket}), frames decoded with the protocol's {@code
 * ControlCodec}, reconnects with exponential backoff and jitter ({@link
 * dev.gatehouse.client.control.Backoff}), and a clear end when the token is refused or the API
 * stays unreachable.
 */
package dev.gatehouse.client.control;
