package dev.binlogrelay.core.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The client's answer to {@link HandshakeV10}.
 *
 * <pre>
 * capability_flags (4) | max_packet_size (4) | character_set (1) | filler (19) | MariaDB ext caps or 0 (4)
 * username (NUL-terminated)
 * auth_response: lenenc (CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA) | 1-byte length (CLIENT_SECURE_CONNECTION) | NUL-terminated
 * database (NUL-terminated, with CLIENT_CONNECT_WITH_DB)
 * auth_plugin_name (NUL-terminated, with CLIENT_PLUGIN_AUTH)
 * connect attributes (with CLIENT_CONNECT_ATTRS): lenenc total length, then lenenc key/value pairs
 * </pre>
 * A 32-byte packet with CLIENT_SSL set and nothing after the filler is an SSL request: {@link #isSslRequest}.
 */
public record HandshakeResponse41(int capabilities, long maxPacketSize, int characterSet, String user,
                                  byte[] authResponse, String database, String authPluginName,
                                  Map<String, String> attributes) {
    public static final int SSL_REQUEST_LENGTH = 32;

    public static boolean isSslRequest(ByteBuf in) {
        return in.readableBytes() == SSL_REQUEST_LENGTH
                && (in.getIntLE(in.readerIndex()) & Capabilities.SSL) != 0;
    }

    /**
     * The SSL request a client sends instead of its response when it wants TLS: the first 32 bytes of a
     * response, with CLIENT_SSL set. The real response follows over TLS, with the next sequence id.
     */
    public static ByteBuf encodeSslRequest(ByteBufAllocator alloc, int capabilities, long maxPacketSize, int characterSet) {
        return alloc.buffer(SSL_REQUEST_LENGTH, SSL_REQUEST_LENGTH).writeIntLE(capabilities | Capabilities.SSL)
                .writeIntLE((int) maxPacketSize).writeByte(characterSet).writeZero(23);
    }

    public ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer(128);
        out.writeIntLE(capabilities).writeIntLE((int) maxPacketSize).writeByte(characterSet).writeZero(23);
        Wire.writeNulString(out, user);
        if ((capabilities & Capabilities.PLUGIN_AUTH_LENENC_CLIENT_DATA) != 0) {
            Wire.writeLenencBytes(out, authResponse);
        } else if ((capabilities & Capabilities.SECURE_CONNECTION) != 0) {
            out.writeByte(authResponse.length).writeBytes(authResponse);
        } else {
            out.writeBytes(authResponse).writeByte(0);
        }
        if ((capabilities & Capabilities.CONNECT_WITH_DB) != 0) {
            Wire.writeNulString(out, database == null ? "" : database);
        }
        if ((capabilities & Capabilities.PLUGIN_AUTH) != 0) {
            Wire.writeNulString(out, authPluginName);
        }
        if ((capabilities & Capabilities.CONNECT_ATTRS) != 0) {
            ByteBuf attrs = alloc.buffer();
            try {
                attributes.forEach((k, v) -> {
                    Wire.writeLenencString(attrs, k);
                    Wire.writeLenencString(attrs, v);
                });
                Wire.writeLenencInt(out, attrs.readableBytes());
                out.writeBytes(attrs);
            } finally {
                attrs.release();
            }
        }
        return out;
    }

    public static HandshakeResponse41 decode(ByteBuf in) {
        Wire.need(in, SSL_REQUEST_LENGTH, "handshake response");
        int caps = in.readIntLE();
        if ((caps & Capabilities.PROTOCOL_41) == 0) {
            throw new ProtocolException("client does not speak protocol 4.1");
        }
        long maxPacket = in.readUnsignedIntLE();
        int charset = in.readUnsignedByte();
        in.skipBytes(23);
        String user = Wire.readNulString(in, "user name");
        byte[] auth;
        if ((caps & Capabilities.PLUGIN_AUTH_LENENC_CLIENT_DATA) != 0) {
            auth = Wire.readLenencBytes(in);
        } else if ((caps & Capabilities.SECURE_CONNECTION) != 0) {
            Wire.need(in, 1, "auth response length");
            auth = Wire.readFixedBytes(in, in.readUnsignedByte(), "auth response");
        } else {
            auth = Wire.readNulBytes(in, "auth response");
        }
        String db = null;
        if ((caps & Capabilities.CONNECT_WITH_DB) != 0 && in.isReadable()) {
            db = Wire.readNulString(in, "database");
        }
        String plugin = "";
        if ((caps & Capabilities.PLUGIN_AUTH) != 0 && in.isReadable()) {
            int end = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) 0);
            plugin = end < 0 ? Wire.readRestString(in, StandardCharsets.UTF_8) : Wire.readNulString(in, "auth plugin name");
        }
        Map<String, String> attrs = new LinkedHashMap<>();
        if ((caps & Capabilities.CONNECT_ATTRS) != 0 && in.isReadable()) {
            long total = Wire.readLenencInt(in);
            if (total < 0 || total > in.readableBytes()) {
                throw new ProtocolException("connect attributes of " + total + " bytes but only " + in.readableBytes() + " remain");
            }
            ByteBuf attrBuf = in.readSlice((int) total);
            while (attrBuf.isReadable()) {
                String k = Wire.readLenencString(attrBuf);
                attrs.put(k, Wire.readLenencString(attrBuf));
            }
        }
        return new HandshakeResponse41(caps, maxPacket, charset, user, auth, db, plugin, attrs);
    }
}
