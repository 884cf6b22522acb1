package dev.binlogrelay.core.protocol.command;

import dev.binlogrelay.core.gtid.MysqlGtidSet;
import dev.binlogrelay.core.protocol.Commands;
import dev.binlogrelay.core.protocol.ProtocolException;
import dev.binlogrelay.core.protocol.Wire;
import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * COM_BINLOG_DUMP_GTID (MySQL): start a binlog stream after the transactions of a GTID set (auto-positioning).
 *
 * <pre>
 * 0x1E | flags (2) | server_id (4) | file name size (4) | file name | position (8)
 *      | [GTID set size (4) | GTID set (binary, {@link MysqlGtidSet#encode})]
 * </pre>
 * The server reads the set whatever the flags say ({@link #THROUGH_GTID} is what mysqlbinlog sets), so the
 * decoder does too: {@code gtids} is empty when the packet ends after the position (or holds less than the set
 * size field). The encoder always writes the set. A replica using auto-positioning names no file: the primary
 * starts at the newest file whose previous-GTIDs set the replica has.
 *
 * @param flags    {@link #THROUGH_POSITION}, {@link #THROUGH_GTID}, and {@link BinlogDump#NON_BLOCK}
 * @param serverId the reader's server id (32 bits on the wire)
 * @param file     the file to start in, or empty
 * @param position the position in {@code file}
 * @param gtids    the transactions the reader has, which the stream leaves out
 */
public record BinlogDumpGtid(int flags, long serverId, String file, long position, MysqlGtidSet gtids)
        implements ReplicationCommand {
    /** Flag: the file name and position fields are meant (BINLOG_THROUGH_POSITION; not set by the relay). */
    public static final int THROUGH_POSITION = 2;
    /** Flag: the GTID set field is present (BINLOG_THROUGH_GTID). */
    public static final int THROUGH_GTID = 4;

    public BinlogDumpGtid {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(gtids, "gtids");
    }

    @Override
    public int command() {
        return Commands.COM_BINLOG_DUMP_GTID;
    }

    @Override
    public int encodedSize() {
        return 1 + 2 + 4 + 4 + file.getBytes(StandardCharsets.UTF_8).length + 8 + 4 + gtids.encodedSize();
    }

    @Override
    public void encode(ByteBuf out) {
        byte[] name = file.getBytes(StandardCharsets.UTF_8);
        out.writeByte(Commands.COM_BINLOG_DUMP_GTID).writeShortLE(flags).writeIntLE((int) serverId)
                .writeIntLE(name.length).writeBytes(name);
        out.writeLongLE(position).writeIntLE(gtids.encodedSize());
        gtids.encode(out);
    }

    /**
     * Decodes a whole payload (command byte first).
     *
     * @throws ProtocolException        if a field runs past the packet
     * @throws IllegalArgumentException if the GTID set is malformed (a server answers that with an ERR, not a
     *                                  broken connection)
     */
    public static BinlogDumpGtid decode(ByteBuf in) {
        CommandFields.command(in, Commands.COM_BINLOG_DUMP_GTID);
        Wire.need(in, 10, "COM_BINLOG_DUMP_GTID");
        int flags = in.readUnsignedShortLE();
        long serverId = in.readUnsignedIntLE();
        long nameSize = in.readUnsignedIntLE();
        if (nameSize > in.readableBytes()) {
            throw new ProtocolException("COM_BINLOG_DUMP_GTID file name of " + nameSize + " bytes in a shorter packet");
        }
        String file = in.readCharSequence((int) nameSize, StandardCharsets.UTF_8).toString();
        Wire.need(in, 8, "COM_BINLOG_DUMP_GTID position");
        long position = in.readLongLE();
        MysqlGtidSet set = MysqlGtidSet.EMPTY;
        if (in.readableBytes() >= 4) {
            long size = in.readUnsignedIntLE();
            if (size > in.readableBytes()) {
                throw new ProtocolException("COM_BINLOG_DUMP_GTID GTID set of " + size + " bytes in a shorter packet");
            }
            set = MysqlGtidSet.decode(in.readSlice((int) size));
        }
        return new BinlogDumpGtid(flags, serverId, file, position, set);
    }
}
