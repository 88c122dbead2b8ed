/**
 * The control-channel protocol between the API node and its peers (gateways and clients): one
 * record per message, a sealed interface per direction, the {@link dev.gatehouse.protocol.Envelope}
 * they travel in, and {@link dev.gatehouse.protocol.ControlCodec}, the JSON codec. Message names
 * and fields follow Firezone's Phoenix channels "client" and "gateway" (reference section 3),
 * adapted where Firezone relies on Erlang process ids. Pure: no I/O, no Netty.
 */
package dev.gatehouse.protocol;
