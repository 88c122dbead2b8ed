package dev.gatehouse.protocol;

/** The result of decoding one frame: an envelope, or a {@link DecodeError}. */
public sealed interface Decoded<M extends Message> {

  record Ok<M extends Message>(Envelope<M> envelope) implements Decoded<M> {}

  record Failed<M extends Message>(DecodeError error) implements Decoded<M> {}
}
