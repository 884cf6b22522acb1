package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.gtid.MariaGtidPosition;
import dev.binlogrelay.core.gtid.MysqlGtidSet;

/**
 * Where a reader asked its stream to start, decided once from its dump command and session variables
 * ({@link ClientSession}). {@link StartPositions#open} turns it into a cursor; {@link ReaderGtidFilter#of} picks the
 * filter that leaves out what the reader already has. Code that treats the variants differently tests the variant,
 * never a field for null.
 *
 * <p>Not relay-core's {@link dev.binlogrelay.core.flavor.StartPosition}: that one says where the relay starts on its
 * upstream (it has {@code earliest} and {@code current}, which a reader cannot ask for), and a MySQL reader's GTID
 * start carries the file and position of its command as well.
 */
public sealed interface ReaderStart {
    /**
     * COM_BINLOG_DUMP without {@code @slave_connect_state}: a file and position as the reader sent them (an empty
     * file means the first file; see {@link StartPositions#openForFile}).
     */
    record AtFilePosition(String file, long position) implements ReaderStart {
    }

    /** A MariaDB GTID start: COM_BINLOG_DUMP with {@code @slave_connect_state} set (the file and position are ignored). */
    record AtMariaGtids(MariaGtidPosition position) implements ReaderStart {
    }

    /**
     * COM_BINLOG_DUMP_GTID: the GTID set the reader has executed (its transactions are left out of the stream).
     * Without a file name (MySQL auto-positioning) the GTID index finds the file; a named file is used as named.
     */
    record AtMysqlGtids(MysqlGtidSet executed, String file, long position) implements ReaderStart {
        /** True when the reader named no file: the relay finds where to start from {@link #executed}. */
        public boolean autoPositioned() {
            return file == null || file.isEmpty();
        }
    }
}
