package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.gtid.MariaGtidPosition;
import dev.binlogrelay.core.protocol.PeerText;
import dev.binlogrelay.core.protocol.command.BinlogDump;
import dev.binlogrelay.server.admin.SqlSession;

/**
 * What a reader asks for when it dumps: its dump command together with the session variables it set before
 * (checksum, heartbeat period, MariaDB capability and connect state), as {@link ReaderOptions}; and how the
 * dump's log line names them.
 */
final class ReaderRequests {
    /**
     * The shortest heartbeat period the relay serves (100 ms). MariaDB accepts periods down to 1 ms; a reader
     * asking for less than this gets this: a heartbeat is only sent to an idle reader, so a shorter period buys
     * nothing but timer wake-ups and packets (a thousand readers at 1 ms would be a million a second).
     */
    static final long MIN_HEARTBEAT_NANOS = 100_000_000L;

    private ReaderRequests() {
    }

    /**
     * The reader's options for the start its command asked for. {@code @slave_connect_state} turns a file/position
     * start (COM_BINLOG_DUMP) into a MariaDB GTID start, as on MariaDB; COM_BINLOG_DUMP_GTID keeps its own (the
     * variable is still checked, so a malformed one is refused either way). Server id 0 asks for a non-blocking dump
     * too, as on the server (old mysqlbinlog and some CDC readers use it).
     */
    static ReaderOptions options(SqlSession sql, long defaultHeartbeatNanos, long relayServerId, int flags,
                                 long readerServerId, ReaderStart fromCommand) {
        String checksumVar = sql.hasUserVariable("master_binlog_checksum") ? sql.userVariable("master_binlog_checksum")
                : sql.userVariable("source_binlog_checksum");
        ChecksumAlgorithm checksum = ChecksumAlgorithm.fromName(checksumVar);
        String connectState = sql.userVariable("slave_connect_state");
        MariaGtidPosition gtid = connectState == null ? null : MariaGtidPosition.parse(connectState);
        ReaderStart start = gtid != null && fromCommand instanceof ReaderStart.AtFilePosition
                ? new ReaderStart.AtMariaGtids(gtid) : fromCommand;
        String hb = sql.hasUserVariable("master_heartbeat_period") ? sql.userVariable("master_heartbeat_period")
                : sql.userVariable("source_heartbeat_period");
        long heartbeat = 0;
        long asked = 0;
        if (hb != null) {
            try {
                asked = (long) Double.parseDouble(hb);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad @master_heartbeat_period '" + hb + "'");
            }
            heartbeat = asked > 0 ? Math.max(asked, MIN_HEARTBEAT_NANOS) : 0;
        } else if (defaultHeartbeatNanos > 0) {
            heartbeat = Math.max(defaultHeartbeatNanos, MIN_HEARTBEAT_NANOS);
        }
        boolean mariaDbReader = sql.userVariable("mariadb_slave_capability") != null;
        return new ReaderOptions(start, checksum, heartbeat, asked, (flags & BinlogDump.NON_BLOCK) != 0 || readerServerId == 0,
                (flags & BinlogDump.SEND_ANNOTATE_ROWS) != 0, relayServerId, mariaDbReader);
    }

    /** For the dump's log line: the GTID start the reader asked for, before the position it starts at. */
    static String gtidNote(ReaderStart start) {
        if (start instanceof ReaderStart.AtMariaGtids maria) {
            return "GTID '" + PeerText.text(maria.position().toString()) + "' at ";
        }
        if (start instanceof ReaderStart.AtMysqlGtids mysql) {
            return "GTID set '" + PeerText.text(mysql.executed().toString()) + "' at ";
        }
        return "";
    }

    /** For the dump's log line: the heartbeat period, and that it was raised to the floor if it was. */
    static String heartbeatNote(ReaderOptions o) {
        if (o.heartbeatNanos() == 0) {
            return "";
        }
        String note = ", heartbeat " + java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(o.heartbeatNanos()) + " ms";
        if (o.askedHeartbeatNanos() > 0 && o.askedHeartbeatNanos() < o.heartbeatNanos()) {
            note += " (asked " + o.askedHeartbeatNanos() / 1e6 + " ms, raised to the relay's floor)";
        }
        return note;
    }
}
