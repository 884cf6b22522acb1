package dev.binlogrelay.core.protocol.command;

import dev.binlogrelay.core.protocol.Commands;
import dev.binlogrelay.core.protocol.Wire;
import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * COM_REGISTER_SLAVE: a replica announces itself (what SHOW SLAVE HOSTS lists).
 *
 * <pre>
 * 0x15 | server_id (4) | host (1-byte length + bytes) | user (1+n) | password (1+n)
 *      | [port (2) | replication_rank (4) | master_id (4)]
 * </pre>
 * Servers accept the packet without the part in brackets; {@code port} is 0 then. A string a 1-byte length
 * cannot announce (over 255 bytes) is refused by the encoder. Rank and master id are
 * ignored by servers: the encoder writes 0 for both and the decoder skips them.
 *
 * @param serverId the replica's server id (32 bits on the wire)
 * @param host     its report_host, or empty
 * @param user     its report_user, or empty
 * @param password its report_password, or empty (never in {@link #toString()})
 * @param port     its report_port, 0 if not given
 */
public record RegisterReplica(long serverId, String host, String user, String password, int port)
        implements ReplicationCommand {
    private static final int TAIL = 2 + 4 + 4;

    /** @throws IllegalArgumentException for a port outside 0-65535 */
    public RegisterReplica {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port " + port + " is not in 0-65535");
        }
    }

    @Override
    public int command() {
        return Commands.COM_REGISTER_SLAVE;
    }

    @Override
    public int encodedSize() {
        return 1 + 4 + 3 + utf8(host).length + utf8(user).length + utf8(password).length + TAIL;
    }

    /** @throws IllegalArgumentException if host, user or password is over 255 bytes in UTF-8 */
    @Override
    public void encode(ByteBuf out) {
        CommandFields.checkShort(host, "COM_REGISTER_SLAVE host");
        CommandFields.checkShort(user, "COM_REGISTER_SLAVE user");
        CommandFields.checkShort(password, "COM_REGISTER_SLAVE password");
        out.writeByte(Commands.COM_REGISTER_SLAVE).writeIntLE((int) serverId);
        CommandFields.writeShortString(out, host);
        CommandFields.writeShortString(out, user);
        CommandFields.writeShortString(out, password);
        out.writeShortLE(port).writeIntLE(0).writeIntLE(0);
    }

    /** Decodes a whole payload (command byte first); rank and master id are skipped, not kept. */
    public static RegisterReplica decode(ByteBuf in) {
        CommandFields.command(in, Commands.COM_REGISTER_SLAVE);
        Wire.need(in, 4, "COM_REGISTER_SLAVE server_id");
        long serverId = in.readUnsignedIntLE();
        String host = CommandFields.readShortString(in, "COM_REGISTER_SLAVE host");
        String user = CommandFields.readShortString(in, "COM_REGISTER_SLAVE user");
        String password = CommandFields.readShortString(in, "COM_REGISTER_SLAVE password");
        int port = in.readableBytes() >= 2 ? in.readUnsignedShortLE() : 0;
        if (in.readableBytes() >= 8) {
            in.skipBytes(8); // replication_rank, master_id
        }
        return new RegisterReplica(serverId, host, user, password, port);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "RegisterReplica[serverId=" + serverId + ", host=" + host + ", user=" + user + ", port=" + port + "]";
    }
}
