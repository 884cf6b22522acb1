package dev.binlogrelay.core.protocol.command;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A command a replica sends its primary, as one packet payload that starts with its command byte. Each
 * implementation is a record holding the command's fields, with its encoder and its decoder side by side under a
 * byte-layout comment. Decoders take the whole payload (command byte first), check every length against what the
 * payload holds and throw {@link dev.binlogrelay.core.protocol.ProtocolException} for one that does not hold its
 * fields; the relay's upstream client, its downstream server and the bench readers all use these classes.
 */
public sealed interface ReplicationCommand permits BinlogDump, BinlogDumpGtid, RegisterReplica, SemiSyncAck {
    /** The command byte ({@link dev.binlogrelay.core.protocol.Commands}). */
    int command();

    /** The exact size of the payload {@link #encode(ByteBuf)} writes, command byte included. */
    int encodedSize();

    /** Writes the payload, command byte first. */
    void encode(ByteBuf out);

    /** The payload in a buffer of exactly its size. */
    default ByteBuf encode(ByteBufAllocator alloc) {
        int size = encodedSize();
        ByteBuf out = alloc.buffer(size, size);
        encode(out);
        return out;
    }
}
