/** TUN adapters: Linux through the FFM API (no JNI) and an in-memory twin for tests. */
package dev.gatehouse.tunnel.tun;
