package dev.gatehouse.controlplane.cdc;

import java.nio.ByteBuffer;

/**
 * One XLogData payload from a replication session.
 *
 * @param walStart the WAL position of the record this message was decoded from
 * @param payload the pgoutput message bytes, positioned at its start
 */
public record WalMessage(long walStart, ByteBuffer payload) {}
