/**
 * The API node's pure core: per-channel state machines ({@link
 * dev.gatehouse.apinode.core.ClientSession}, {@link dev.gatehouse.apinode.core.GatewaySession})
 * that take a message, a change or a flow answer plus the time and return what to do, gateway
 * selection, and the per-flow key material. No sockets, no JDBC, no threads, no clock reads.
 */
package dev.gatehouse.apinode.core;
