package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.gtid.MysqlGtidSet;
import dev.binlogrelay.core.protocol.ProtocolException;
import dev.binlogrelay.core.protocol.Wire;
import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * The replication commands a reader sends, decoded from their payload after the command byte. Every length is checked
 * against what the packet holds before it is used; a packet that does not hold its fields is a
 * {@link ProtocolException}. (The flavors' {@code dumpCommand} are the encoders.)
 */
final class ReplicationCommands {
    private ReplicationCommands() {
    }

    /** COM_BINLOG_DUMP: position (4) | flags (2) | server_id (4) | file name (rest) */
    record BinlogDump(long position, int flags, long serverId, String file) {
        static BinlogDump decode(ByteBuf in) {
            Wire.need(in, 10, "COM_BINLOG_DUMP");
            long position = in.readUnsignedIntLE();
            int flags = in.readUnsignedShortLE();
            long serverId = in.readUnsignedIntLE();
            return new BinlogDump(position, flags, serverId, Wire.readRestString(in, StandardCharsets.UTF_8));
        }
    }

    /**
     * COM_BINLOG_DUMP_GTID (MySQL): flags (2) | server_id (4) | name size (4) | file name | position (8)
     * | [GTID set size (4) | GTID set (binary)]. The server reads the set whatever the flags say (flag 4,
     * BINLOG_THROUGH_GTID, is what mysqlbinlog sets), so the relay does too; {@code gtids} is empty when the packet
     * ends after the position.
     */
    record BinlogDumpGtid(int flags, long serverId, String file, long position, MysqlGtidSet gtids) {
        /**
         * @throws ProtocolException       if a field runs past the packet
         * @throws IllegalArgumentException if the GTID set is malformed (the reader gets an ERR, as from a server)
         */
        static BinlogDumpGtid decode(ByteBuf in) {
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

    /**
     * COM_REGISTER_SLAVE: server_id (4) | host (1+n) | user (1+n) | password (1+n) | [port (2) | rank (4) |
     * master_id (4)]; port is 0 when the packet ends before it.
     */
    record RegisterReplica(long serverId, String host, String user, String password, int port) {
        static RegisterReplica decode(ByteBuf in) {
            Wire.need(in, 4, "COM_REGISTER_SLAVE server_id");
            long serverId = in.readUnsignedIntLE();
            String host = shortString(in, "host");
            String user = shortString(in, "user");
            String password = shortString(in, "password");
            int port = in.readableBytes() >= 2 ? in.readUnsignedShortLE() : 0;
            return new RegisterReplica(serverId, host, user, password, port);
        }

        @Override
        public String toString() {
            return "RegisterReplica[serverId=" + serverId + ", host=" + host + ", user=" + user + ", port=" + port + "]";
        }
    }

    private static String shortString(ByteBuf in, String field) {
        Wire.need(in, 1, "COM_REGISTER_SLAVE " + field);
        int len = in.readUnsignedByte();
        return new String(Wire.readFixedBytes(in, len, "COM_REGISTER_SLAVE " + field), StandardCharsets.UTF_8);
    }
}
