/**
 * A wg-quick-like runner: parses a standard WireGuard config file and wires the core to a TUN
 * device and a UDP socket ({@link dev.gatehouse.tunnel.runner.TunnelRunner}).
 */
package dev.gatehouse.tunnel.runner;
