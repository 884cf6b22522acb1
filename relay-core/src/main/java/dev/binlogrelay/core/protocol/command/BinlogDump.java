package dev.binlogrelay.core.protocol.command;

import dev.binlogrelay.core.protocol.Commands;
import dev.binlogrelay.core.protocol.Wire;
import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * COM_BINLOG_DUMP: start a binlog stream from a file and position.
 *
 * <pre>
 * 0x12 | position (4) | flags (2) | server_id (4) | file name (rest of the packet, no length)
 * </pre>
 * The position field holds 32 bits: a larger position is sent as its low 32 bits (what MySQL's replica sends for
 * a position past 4 GiB), and {@code serverId} likewise. A MariaDB primary ignores file and position when the
 * replica set {@code @slave_connect_state} (a GTID dump); server id 0 asks for a non-blocking dump, as
 * {@link #NON_BLOCK} does.
 *
 * @param position where to start in {@code file}
 * @param flags    {@link #NON_BLOCK}, {@link #SEND_ANNOTATE_ROWS}
 * @param serverId the reader's server id
 * @param file     the file to start in (empty: the primary's first)
 */
public record BinlogDump(long position, int flags, long serverId, String file) implements ReplicationCommand {
    /** Flag: send EOF at the end of the last file instead of waiting for more (BINLOG_DUMP_NON_BLOCK). */
    public static final int NON_BLOCK = 1;
    /** Flag (MariaDB): send ANNOTATE_ROWS events as stored (BINLOG_SEND_ANNOTATE_ROWS_EVENT). */
    public static final int SEND_ANNOTATE_ROWS = 2;
    private static final int FIXED = 1 + 4 + 2 + 4;

    public BinlogDump {
        Objects.requireNonNull(file, "file");
    }

    @Override
    public int command() {
        return Commands.COM_BINLOG_DUMP;
    }

    @Override
    public int encodedSize() {
        return FIXED + file.getBytes(StandardCharsets.UTF_8).length;
    }

    @Override
    public void encode(ByteBuf out) {
        out.writeByte(Commands.COM_BINLOG_DUMP).writeIntLE((int) position).writeShortLE(flags).writeIntLE((int) serverId)
                .writeBytes(file.getBytes(StandardCharsets.UTF_8));
    }

    /** Decodes a whole payload (command byte first); the file name is what follows the fixed fields. */
    public static BinlogDump decode(ByteBuf in) {
        CommandFields.command(in, Commands.COM_BINLOG_DUMP);
        Wire.need(in, FIXED - 1, "COM_BINLOG_DUMP");
        long position = in.readUnsignedIntLE();
        int flags = in.readUnsignedShortLE();
        long serverId = in.readUnsignedIntLE();
        return new BinlogDump(position, flags, serverId, Wire.readRestString(in, StandardCharsets.UTF_8));
    }
}
