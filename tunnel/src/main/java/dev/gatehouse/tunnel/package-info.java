/** Gatehouse's tunnel library: WireGuard protocol core, packet filters and thin I/O adapters. */
package dev.gatehouse.tunnel;
