/**
 * The client's I/O shell: the TUN interface's addresses and routes ({@link
 * dev.gatehouse.client.tunnel.InterfaceConfigurator} with an in-memory twin), the gate that holds
 * packets until a flow exists, and {@link dev.gatehouse.client.tunnel.ClientRuntime}, which wires
 * the control channel, the {@link dev.gatehouse.client.core.ClientAgent} and the tunnel engine.
 */
package dev.gatehouse.client.tunnel;
