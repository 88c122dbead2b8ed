/** UDP adapters: Netty (epoll when available) and an in-memory twin for tests. */
package dev.gatehouse.tunnel.net;
