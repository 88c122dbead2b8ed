/**
 * The Netty edge: one listener serving the WebSocket control channels ({@code /client/websocket},
 * {@code /gateway/websocket}), the admin REST API ({@code /admin/...}) and {@code /healthz}. Tokens
 * are checked before the WebSocket upgrade, off the event loop; refused joins get an HTTP error
 * with a JSON body naming the reason.
 */
package dev.gatehouse.apinode.net;
