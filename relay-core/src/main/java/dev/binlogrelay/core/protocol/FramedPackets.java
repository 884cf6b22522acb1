package dev.binlogrelay.core.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * Bytes that already hold whole MySQL packets (headers with sequence ids taken from the connection's
 * {@link PacketSequence}); {@link PacketEncoder} passes them through as they are. The dump path packs many
 * events into one buffer this way instead of writing each as its own small message.
 */
public final class FramedPackets extends DefaultByteBufHolder {
    public FramedPackets(ByteBuf data) {
        super(data);
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
        append(out, sequence, head, java.nio.ByteBuffer.wrap(body));
    }

    /** As {@link #append(ByteBuf, PacketSequence, byte[], byte[])} for a body given as a buffer (position to limit, not moved). */
    public static void append(ByteBuf out, PacketSequence sequence, byte[] head, java.nio.ByteBuffer body) {
        int length = head.length + body.remaining();
        if (length >= PacketDecoder.MAX_CHUNK) {
            throw new IllegalArgumentException("payload of " + length + " bytes needs splitting");
        }
        out.writeMediumLE(length).writeByte(sequence.take()).writeBytes(head).writeBytes(body.duplicate());
    }
}
