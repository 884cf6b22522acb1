package dev.binlogrelay.core.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The server's first packet.
 *
 * <pre>
 * protocol_version (1) = 10
 * server_version (NUL-terminated)
 * connection_id (4)
 * auth_plugin_data_part_1 (8) | filler (1) = 0
 * capability_flags lower (2) | character_set (1) | status_flags (2) | capability_flags upper (2)
 * auth_plugin_data_len (1) (0 without CLIENT_PLUGIN_AUTH)
 * reserved (6) | MariaDB extended capabilities (4), zero for MySQL
 * auth_plugin_data_part_2 (max(13, auth_plugin_data_len - 8)), the last byte a NUL
 * auth_plugin_name (NUL-terminated, with CLIENT_PLUGIN_AUTH)
 * </pre>
 */
public record HandshakeV10(String serverVersion, long connectionId, byte[] scramble, int capabilities,
                           int characterSet, int statusFlags, String authPluginName) {
    public static final int PROTOCOL_VERSION = 10;

    public ByteBuf encode(ByteBufAllocator alloc) {
        byte[] version = serverVersion.getBytes(StandardCharsets.UTF_8);
        byte[] plugin = authPluginName.getBytes(StandardCharsets.UTF_8);
        ByteBuf out = alloc.buffer(64 + version.length + plugin.length + scramble.length);
        out.writeByte(PROTOCOL_VERSION).writeBytes(version).writeByte(0);
        out.writeIntLE((int) connectionId);
        out.writeBytes(scramble, 0, 8).writeByte(0);
        out.writeShortLE(capabilities & 0xFFFF).writeByte(characterSet).writeShortLE(statusFlags)
                .writeShortLE(capabilities >>> 16);
        out.writeByte(scramble.length + 1);
        out.writeZero(10);
        out.writeBytes(scramble, 8, scramble.length - 8).writeByte(0);
        out.writeBytes(plugin).writeByte(0);
        return out;
    }

    public static HandshakeV10 decode(ByteBuf in) {
        Wire.need(in, 1, "handshake protocol version");
        int protocol = in.readUnsignedByte();
        if (protocol != PROTOCOL_VERSION) {
            throw new ProtocolException("unsupported handshake protocol version " + protocol);
        }
        String version = Wire.readNulString(in, "server version");
        Wire.need(in, 4 + 8 + 1 + 2, "handshake");
        long connectionId = in.readUnsignedIntLE();
        byte[] part1 = Wire.readFixedBytes(in, 8, "scramble part 1");
        in.skipBytes(1);
        int caps = in.readUnsignedShortLE();
        int charset = 0;
        int status = 0;
        int dataLen = 0;
        byte[] part2 = new byte[0];
        String plugin = "mysql_native_password";
        if (in.isReadable()) {
            Wire.need(in, 1 + 2 + 2 + 1 + 10, "handshake extension");
            charset = in.readUnsignedByte();
            status = in.readUnsignedShortLE();
            caps |= in.readUnsignedShortLE() << 16;
            dataLen = in.readUnsignedByte();
            in.skipBytes(10);
            if ((caps & Capabilities.SECURE_CONNECTION) != 0) {
                int len = Math.max(13, dataLen - 8);
                part2 = Wire.readFixedBytes(in, Math.min(len, in.readableBytes()), "scramble part 2");
                // the part ends with a NUL that is not part of the scramble
                if (part2.length > 0 && part2[part2.length - 1] == 0) {
                    part2 = Arrays.copyOf(part2, part2.length - 1);
                }
            }
            if ((caps & Capabilities.PLUGIN_AUTH) != 0 && in.isReadable()) {
                int end = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) 0);
                plugin = end < 0 ? Wire.readRestString(in, StandardCharsets.UTF_8) : Wire.readNulString(in, "auth plugin name");
            }
        }
        byte[] scramble = new byte[8 + part2.length];
        System.arraycopy(part1, 0, scramble, 0, 8);
        System.arraycopy(part2, 0, scramble, 8, part2.length);
        return new HandshakeV10(version, connectionId, scramble, caps, charset, status, plugin);
    }
}
