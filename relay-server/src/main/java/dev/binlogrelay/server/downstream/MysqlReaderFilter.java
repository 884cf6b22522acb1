package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.binlog.MysqlGtidEvent;
import dev.binlogrelay.core.gtid.MysqlGtidSet;

/**
 * MySQL auto-positioning (COM_BINLOG_DUMP_GTID): the transactions in the GTID set the reader has executed are left
 * out, wherever they stand in the stream; the reader is told nothing more (MySQL sends no GTID list).
 */
final class MysqlReaderFilter implements ReaderGtidFilter {
    private final MysqlGtidSet executed;

    MysqlReaderFilter(MysqlGtidSet executed) {
        this.executed = executed;
    }

    @Override
    public boolean skipsGroup(byte[] firstEvent, int type, ChecksumAlgorithm storedChecksum) {
        return MysqlGtidEvent.gtid(firstEvent, storedChecksum).map(g -> executed.contains(g.tsid(), g.gno())).orElse(false);
    }
}
