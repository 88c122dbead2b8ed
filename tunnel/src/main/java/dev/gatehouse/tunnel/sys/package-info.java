/** Foreign Function &amp; Memory bindings to the few libc calls the adapters make. */
package dev.gatehouse.tunnel.sys;
