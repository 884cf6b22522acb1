package dev.binlogrelay.core.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * <pre>
 * OK: 0x00 | affected_rows (lenenc) | last_insert_id (lenenc) | status (2) | warnings (2) | info (rest)
 * </pre>
 * (0xFE instead of 0x00 when it ends a result set under CLIENT_DEPRECATE_EOF.) MariaDB servers write a non-empty info
 * length-encoded whatever the capabilities, and MariaDB clients read it so ({@link #encodeWithLenencInfo}).
 */
public record OkPacket(long affectedRows, long lastInsertId, int status, int warnings, String info) {
    public static final int HEADER = 0x00;

    public static OkPacket of(long affectedRows) {
        return new OkPacket(affectedRows, 0, ServerStatus.AUTOCOMMIT, 0, "");
    }

    public static boolean is(ByteBuf payload) {
        return payload.readableBytes() >= 7 && payload.getUnsignedByte(payload.readerIndex()) == HEADER;
    }

    public ByteBuf encode(ByteBufAllocator alloc) {
        return encode(alloc, HEADER);
    }

    public ByteBuf encode(ByteBufAllocator alloc, int header) {
        byte[] infoBytes = info.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteBuf out = alloc.buffer(1 + Wire.lenencIntSize(affectedRows) + Wire.lenencIntSize(lastInsertId) + 4 + infoBytes.length);
        out.writeByte(header);
        Wire.writeLenencInt(out, affectedRows);
        Wire.writeLenencInt(out, lastInsertId);
        out.writeShortLE(status).writeShortLE(warnings).writeBytes(infoBytes);
        return out;
    }

    /** As MariaDB's server writes it: the info, when there is one, as a length-encoded string. */
    public ByteBuf encodeWithLenencInfo(ByteBufAllocator alloc) {
        byte[] infoBytes = info.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int infoSize = infoBytes.length == 0 ? 0 : Wire.lenencIntSize(infoBytes.length) + infoBytes.length;
        ByteBuf out = alloc.buffer(1 + Wire.lenencIntSize(affectedRows) + Wire.lenencIntSize(lastInsertId) + 4 + infoSize);
        out.writeByte(HEADER);
        Wire.writeLenencInt(out, affectedRows);
        Wire.writeLenencInt(out, lastInsertId);
        out.writeShortLE(status).writeShortLE(warnings);
        if (infoBytes.length > 0) {
            Wire.writeLenencInt(out, infoBytes.length);
            out.writeBytes(infoBytes);
        }
        return out;
    }

    public static OkPacket decode(ByteBuf in) {
        Wire.need(in, 1, "OK header");
        int header = in.readUnsignedByte();
        if (header != HEADER && header != EofPacket.HEADER) {
            throw new ProtocolException(String.format("expected OK packet, got 0x%02X", header));
        }
        long affected = Wire.readLenencInt(in);
        long insertId = Wire.readLenencInt(in);
        Wire.need(in, 4, "OK status and warnings");
        int status = in.readUnsignedShortLE();
        int warnings = in.readUnsignedShortLE();
        String info = Wire.readRestString(in, java.nio.charset.StandardCharsets.UTF_8);
        return new OkPacket(affected, insertId, status, warnings, info);
    }
}
