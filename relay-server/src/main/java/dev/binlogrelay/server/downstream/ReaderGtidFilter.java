package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.binlog.ChecksumAlgorithm;

/**
 * Leaves out of a reader's stream the transactions it already has, the way its flavor's dump thread does; chosen
 * once when the dump starts ({@link #of}, from the reader's {@link ReaderStart}): {@link MariaDbReaderFilter}
 * for a MariaDB GTID position ({@code @slave_connect_state}), {@link MysqlReaderFilter} for a MySQL GTID set
 * (COM_BINLOG_DUMP_GTID), and {@link #NONE} for a file/position reader, which gets every group.
 *
 * <p>Threading: one filter per dump, used on the reader's event loop only.
 */
interface ReaderGtidFilter {
    /** A file/position reader: nothing is left out. */
    ReaderGtidFilter NONE = (firstEvent, type, storedChecksum) -> false;

    /**
     * Called with the first event of every group.
     *
     * @param type           the event's type code
     * @param storedChecksum the checksum algorithm of the file the event is stored in
     * @return true to leave the whole group out
     */
    boolean skipsGroup(byte[] firstEvent, int type, ChecksumAlgorithm storedChecksum);

    /**
     * Called after each group that was left out, ending at {@code endPosition}: the artificial event that tells
     * the reader where it stands once its position is passed (MariaDB's fake GTID_LIST), or null for none.
     */
    default byte[] afterSkippedGroup(long serverId, long endPosition, ChecksumAlgorithm checksum) {
        return null;
    }

    /** The filter for how the reader asked to start. */
    static ReaderGtidFilter of(ReaderStart start) {
        if (start instanceof ReaderStart.AtMariaGtids maria) {
            return new MariaDbReaderFilter(maria.position());
        }
        if (start instanceof ReaderStart.AtMysqlGtids mysql) {
            return new MysqlReaderFilter(mysql.executed());
        }
        if (start instanceof ReaderStart.AtFilePosition) {
            return NONE;
        }
        throw new IllegalArgumentException("unknown start " + start);
    }
}
