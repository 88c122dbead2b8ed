/**
 * The client's pure core ({@link dev.gatehouse.client.core.ClientAgent}): control-channel messages,
 * outgoing packets and the time in; routes, peers, messages and held packets out. No I/O.
 */
package dev.gatehouse.client.core;
