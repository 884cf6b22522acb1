package dev.binlogrelay.core.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * Bytes that already hold whole MySQL packets (headers with sequence ids taken from the connection's
 * {@link PacketSequence}); {@link PacketEncoder} passes them through as they are. The dump path packs many
 * events into one buffer this way instead of writing each as its own small message.
 */
public final class FramedPackets extends DefaultByteBufHolder {
    /** Memory the packets hold until written; -1: the content's capacity. */
    private final long heldBytes;

    public FramedPackets(ByteBuf data) {
        this(data, -1);
    }

    /**
     * Packets holding {@code heldBytes} of memory until written, which may differ from the content's capacity (a
     * composite of slices of a larger buffer and of views of mapped files).
     */
    public FramedPackets(ByteBuf data, long heldBytes) {
        super(data);
        this.heldBytes = heldBytes;
    }

    /** Memory the packets hold until written (for write-buffer watermarks). */
    public long heldBytes() {
        return heldBytes >= 0 ? heldBytes : content().capacity();
    }

    /**
     * Appends one packet of {@code header byte + body} to {@code out}. Only for payloads shorter than
     * 0xFFFFFF bytes (a larger one needs splitting: write it through {@link PacketEncoder}).
     */
    public static void append(ByteBuf out, PacketSequence sequence, int headerByte, byte[] body) {
        int length = 1 + body.length;
        if (length >= PacketDecoder.MAX_CHUNK) {
            throw new IllegalArgumentException("payload of " + length + " bytes needs splitting");
        }
        out.writeMediumLE(length).writeByte(sequence.take()).writeByte(headerByte).writeBytes(body);
    }

    /**
     * Appends one packet of {@code head + body} (e.g. the OK byte and a semi-sync header before an event). Only for
     * payloads shorter than 0xFFFFFF bytes.
     */
    public static void append(ByteBuf out, PacketSequence sequence, byte[] head, byte[] body) {
        int length = head.length + body.length;
        if (length >= PacketDecoder.MAX_CHUNK) {
            throw new IllegalArgumentException("payload of " + length + " bytes needs splitting");
        }
        out.writeMediumLE(length).writeByte(sequence.take()).writeBytes(head).writeBytes(body);
    }

    /** As {@link #append(ByteBuf, PacketSequence, byte[], byte[])} for a body given as a buffer (position to limit, not moved). */
    public static void append(ByteBuf out, PacketSequence sequence, byte[] head, java.nio.ByteBuffer body) {
        int length = head.length + body.remaining();
        if (length >= PacketDecoder.MAX_CHUNK) {
            throw new IllegalArgumentException("payload of " + length + " bytes needs splitting");
        }
        out.writeMediumLE(length).writeByte(sequence.take()).writeBytes(head).writeBytes(body.duplicate());
    }

    /**
     * Appends only the packet header and {@code head} of a packet whose body of {@code bodyLength} bytes follows
     * separately (a view written without a copy).
     */
    public static void appendHeader(ByteBuf out, PacketSequence sequence, byte[] head, int bodyLength) {
        long length = (long) head.length + bodyLength;
        if (length >= PacketDecoder.MAX_CHUNK) {
            throw new IllegalArgumentException("payload of " + length + " bytes needs splitting");
        }
        out.writeMediumLE((int) length).writeByte(sequence.take()).writeBytes(head);
    }
}
