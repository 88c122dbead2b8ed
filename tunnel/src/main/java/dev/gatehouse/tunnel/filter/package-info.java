/** The per-peer packet filter engine the gateway applies to decrypted client traffic. */
package dev.gatehouse.tunnel.filter;
