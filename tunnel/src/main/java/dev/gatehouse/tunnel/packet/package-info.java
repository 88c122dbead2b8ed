/** Allocation-free IPv4/IPv6 header parsing (TCP/UDP ports, ICMP/ICMPv6, quoted packets). */
package dev.gatehouse.tunnel.packet;
