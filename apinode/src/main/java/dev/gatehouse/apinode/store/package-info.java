/**
 * The API node's JDBC edge: token checks, presence and heartbeats, flow records, tunnel address
 * allocation and the admin writes. Every method blocks on the database; callers run them on virtual
 * threads, never on a Netty event loop.
 */
package dev.gatehouse.apinode.store;
