/**
 * Translation between the proxy addresses a client uses for names of DNS resources and the real
 * addresses the gateway resolved them to. Pure: no I/O, time passed in.
 */
package dev.gatehouse.gateway.nat;
