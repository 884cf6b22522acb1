package dev.binlogrelay.core.protocol.command;

import dev.binlogrelay.core.protocol.ProtocolException;
import dev.binlogrelay.core.protocol.Wire;
import io.netty.buffer.ByteBuf;

/**
 * The two bytes a primary puts before every event of a dump to a replica that set {@code @rpl_semi_sync_slave=1}
 * (MySQL 8.0.26+: also {@code @rpl_semi_sync_replica}), after the OK byte of the event packet.
 *
 * <pre>
 * event packet, semi-sync: 0x00 | 0xEF | flags (1) | event
 *                 flags:   0x01 = the primary waits for a {@link SemiSyncAck} of this event
 * </pre>
 * The primary asks for an ack only on the last event of a transaction it waits for (while its
 * {@code rpl_semi_sync_master_enabled} is on); every other event carries flags 0. Other flag bits are kept as they
 * are (servers define none).
 *
 * @param flags the flag byte
 */
public record SemiSyncHeader(int flags) {
    /** The header's size. */
    public static final int SIZE = 2;
    /** Flag: the primary waits for an ack of this event. */
    public static final int ACK_REQUESTED = 0x01;
    /** The header of an event that needs no ack. */
    public static final SemiSyncHeader NO_ACK = new SemiSyncHeader(0);
    /** The header of an event the sender waits to have acknowledged. */
    public static final SemiSyncHeader ACK = new SemiSyncHeader(ACK_REQUESTED);

    /** @throws IllegalArgumentException for flags that do not fit a byte */
    public SemiSyncHeader {
        if (flags < 0 || flags > 0xFF) {
            throw new IllegalArgumentException("semi-sync flags " + flags + " do not fit a byte");
        }
    }

    /** True if the sender waits for an ack of the event that follows. */
    public boolean ackRequested() {
        return (flags & ACK_REQUESTED) != 0;
    }

    public void encode(ByteBuf out) {
        out.writeByte(SemiSyncAck.MAGIC).writeByte(flags);
    }

    /** The header as bytes: what the dump path writes between the OK byte and the event. */
    public byte[] bytes() {
        return new byte[] {(byte) SemiSyncAck.MAGIC, (byte) flags};
    }

    /**
     * Reads the header at the reader index of {@code in} (the event packet's payload after its OK byte), leaving the
     * reader index at the event.
     *
     * @throws ProtocolException if fewer than two bytes remain or the first is not 0xEF
     */
    public static SemiSyncHeader decode(ByteBuf in) {
        Wire.need(in, SIZE, "semi-sync header");
        int magic = in.readUnsignedByte();
        if (magic != SemiSyncAck.MAGIC) {
            throw new ProtocolException(String.format(
                    "semi-sync event packet has 0x%02X where the header's 0xEF was expected", magic));
        }
        int flags = in.readUnsignedByte();
        return flags == 0 ? NO_ACK : flags == ACK_REQUESTED ? ACK : new SemiSyncHeader(flags);
    }
}
