package dev.binlogrelay.core.protocol.command;

import dev.binlogrelay.core.protocol.ProtocolException;
import dev.binlogrelay.core.protocol.Wire;
import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The semi-sync acknowledgement a replica sends its primary during a binlog dump, after it has stored (and, with
 * the server's own replica, queued in its relay log) the event whose {@link SemiSyncHeader} asked for it.
 *
 * <pre>
 * 0xEF | binlog position (8, LE) | binlog file name (rest of the packet, no terminator, under 512 bytes)
 * </pre>
 * It is a packet of its own with sequence id 0 (the replica starts a new exchange for each ack, while the dump's
 * event packets keep their own numbering). The position is where the acknowledged event ends in the primary's
 * file; a primary releases every waiting transaction that commits at or before it. Servers refuse a file name of
 * 512 bytes (FN_REFLEN) or more, and so does the decoder.
 *
 * @param position end of the acknowledged event in {@code file} (64 bits on the wire)
 * @param file     the primary's binlog file holding it
 */
public record SemiSyncAck(long position, String file) implements ReplicationCommand {
    /** The first byte of an ack, and of the header before each event of a semi-sync dump. */
    public static final int MAGIC = 0xEF;
    /** A file name must be shorter than this many bytes (the servers' FN_REFLEN). */
    public static final int MAX_FILE_NAME_BYTES = 511;
    private static final int FIXED = 1 + 8;

    /** @throws IllegalArgumentException for a file name a server would refuse */
    public SemiSyncAck {
        Objects.requireNonNull(file, "file");
        int size = file.getBytes(StandardCharsets.UTF_8).length;
        if (size > MAX_FILE_NAME_BYTES) {
            throw new IllegalArgumentException("semi-sync ack file name of " + size + " bytes; at most "
                    + MAX_FILE_NAME_BYTES + " fit");
        }
    }

    @Override
    public int command() {
        return MAGIC;
    }

    @Override
    public int encodedSize() {
        return FIXED + file.getBytes(StandardCharsets.UTF_8).length;
    }

    @Override
    public void encode(ByteBuf out) {
        out.writeByte(MAGIC).writeLongLE(position).writeBytes(file.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Decodes a whole payload (magic byte first).
     *
     * @throws ProtocolException if it does not start with 0xEF, is shorter than its fixed part or names a file of
     *                           512 bytes or more
     */
    public static SemiSyncAck decode(ByteBuf in) {
        Wire.need(in, 1, "semi-sync ack magic byte");
        int magic = in.readUnsignedByte();
        if (magic != MAGIC) {
            throw new ProtocolException(String.format("semi-sync ack starts with 0x%02X where 0xEF was expected", magic));
        }
        Wire.need(in, FIXED - 1, "semi-sync ack binlog position");
        long position = in.readLongLE();
        if (in.readableBytes() > MAX_FILE_NAME_BYTES) {
            throw new ProtocolException("semi-sync ack file name of " + in.readableBytes() + " bytes; at most "
                    + MAX_FILE_NAME_BYTES + " are accepted");
        }
        String file = Wire.readRestString(in, StandardCharsets.UTF_8);
        try {
            return new SemiSyncAck(position, file);
        } catch (IllegalArgumentException e) { // bytes that are not UTF-8 grow when decoded
            throw new ProtocolException("semi-sync ack file name: " + e.getMessage());
        }
    }
}
