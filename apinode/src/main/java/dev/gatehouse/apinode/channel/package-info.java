/**
 * Channel runtime: one {@link dev.gatehouse.apinode.channel.ClientChannel} or {@link
 * dev.gatehouse.apinode.channel.GatewayChannel} per connected peer, each running its pure session
 * on a {@link dev.gatehouse.apinode.channel.SerialExecutor} (virtual threads, one task at a time)
 * and talking to its peer through a {@link dev.gatehouse.apinode.channel.ChannelTransport} (Netty
 * WebSocket, or the in-memory twin). {@link dev.gatehouse.apinode.channel.ChannelHub} routes CDC
 * changes and node messages to them.
 */
package dev.gatehouse.apinode.channel;
