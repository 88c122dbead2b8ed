/**
 * The sans-IO WireGuard protocol core (whitepaper: Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s).
 *
 * <p>{@link dev.gatehouse.tunnel.wireguard.WireGuardDevice} takes bytes, buffers and a {@link
 * dev.gatehouse.tunnel.wireguard.TunnelClock} and returns {@link
 * dev.gatehouse.tunnel.wireguard.TunnelResult}s; it performs no I/O, starts no threads and reads no
 * system clock. One class per concern: {@code Message} (layouts and parsing), {@code Handshake}
 * (state machine), {@code Keypair} and {@code ReplayWindow} (session keys), {@code Timers}, {@code
 * CookieChecker}/{@code CookieGenerator}/{@code LoadMonitor} (mac2, cookies, rate limiting), {@link
 * dev.gatehouse.tunnel.wireguard.AllowedIps}, {@code IndexTable}, and {@link
 * dev.gatehouse.tunnel.wireguard.Protocol} (constants citing the whitepaper).
 */
package dev.gatehouse.tunnel.wireguard;
