package dev.binlogrelay.core.protocol;

import io.netty.buffer.ByteBuf;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * Primitive field codecs of the MySQL protocol over Netty buffers (all integers little-endian).
 *
 * <pre>
 * length-encoded integer (first byte decides):
 *   0x00-0xFA  the value itself (1 byte)
 *   0xFB       NULL (only in text result rows)
 *   0xFC       2-byte value follows
 *   0xFD       3-byte value follows
 *   0xFE       8-byte value follows
 *   0xFF       never a valid first byte (it starts an ERR packet)
 * length-encoded string: length-encoded integer n, then n bytes
 * NUL-terminated string: bytes up to a 0x00, which is consumed
 * </pre>
 * Every reader checks bounds and throws {@link ProtocolException} naming the field instead of running off
 * the buffer.
 */
public final class Wire {
    public static final int NULL_MARKER = 0xFB;

    private Wire() {
    }

    public static long readLenencInt(ByteBuf in) {
        need(in, 1, "length-encoded integer");
        int first = in.readUnsignedByte();
        return switch (first) {
            case 0xFC -> {
                need(in, 2, "2-byte length-encoded integer");
                yield in.readUnsignedShortLE();
            }
            case 0xFD -> {
                need(in, 3, "3-byte length-encoded integer");
                yield in.readUnsignedMediumLE();
            }
            case 0xFE -> {
                need(in, 8, "8-byte length-encoded integer");
                yield in.readLongLE();
            }
            case 0xFB, 0xFF -> throw new ProtocolException(String.format("0x%02X is not a length-encoded integer", first));
            default -> first;
        };
    }

    public static int lenencIntSize(long value) {
        if (value >= 0 && value < 0xFB) {
            return 1;
        } else if (value >= 0 && value < (1 << 16)) {
            return 3;
        } else if (value >= 0 && value < (1 << 24)) {
            return 4;
        }
        return 9;
    }

    public static void writeLenencInt(ByteBuf out, long value) {
        if (value >= 0 && value < 0xFB) {
            out.writeByte((int) value);
        } else if (value >= 0 && value < (1 << 16)) {
            out.writeByte(0xFC).writeShortLE((int) value);
        } else if (value >= 0 && value < (1 << 24)) {
            out.writeByte(0xFD).writeMediumLE((int) value);
        } else {
            out.writeByte(0xFE).writeLongLE(value);
        }
    }

    public static byte[] readLenencBytes(ByteBuf in) {
        long len = readLenencInt(in);
        if (len < 0 || len > in.readableBytes()) {
            throw new ProtocolException("length-encoded string of " + Long.toUnsignedString(len) + " bytes but only "
                    + in.readableBytes() + " remain");
        }
        byte[] b = new byte[(int) len];
        in.readBytes(b);
        return b;
    }

    public static String readLenencString(ByteBuf in) {
        return new String(readLenencBytes(in), StandardCharsets.UTF_8);
    }

    public static void writeLenencBytes(ByteBuf out, byte[] value) {
        writeLenencInt(out, value.length);
        out.writeBytes(value);
    }

    public static void writeLenencString(ByteBuf out, String value) {
        writeLenencBytes(out, value.getBytes(StandardCharsets.UTF_8));
    }

    public static int lenencStringSize(byte[] value) {
        return lenencIntSize(value.length) + value.length;
    }

    /** Reads up to (and consumes) the next NUL byte. */
    public static byte[] readNulBytes(ByteBuf in, String field) {
        int end = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) 0);
        if (end < 0) {
            throw new ProtocolException(field + " is not NUL-terminated");
        }
        byte[] b = new byte[end - in.readerIndex()];
        in.readBytes(b);
        in.skipBytes(1);
        return b;
    }

    public static String readNulString(ByteBuf in, String field) {
        return new String(readNulBytes(in, field), StandardCharsets.UTF_8);
    }

    public static void writeNulString(ByteBuf out, String value) {
        out.writeBytes(value.getBytes(StandardCharsets.UTF_8)).writeByte(0);
    }

    /** The rest of the buffer as a string. */
    public static String readRestString(ByteBuf in, Charset charset) {
        String s = in.toString(in.readerIndex(), in.readableBytes(), charset);
        in.skipBytes(in.readableBytes());
        return s;
    }

    public static byte[] readFixedBytes(ByteBuf in, int n, String field) {
        need(in, n, field);
        byte[] b = new byte[n];
        in.readBytes(b);
        return b;
    }

    public static void need(ByteBuf in, int n, String field) {
        if (n < 0) {
            throw new ProtocolException(field + " has a negative length " + n);
        }
        if (in.readableBytes() < n) {
            throw new ProtocolException(field + " needs " + n + " bytes but only " + in.readableBytes() + " remain");
        }
    }
}
