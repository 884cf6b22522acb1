package dev.binlogrelay.storage;

import dev.binlogrelay.core.binlog.BinlogFormatException;
import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.core.binlog.MysqlGtidEvent;
import dev.binlogrelay.core.gtid.MysqlGtidSet;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Optional;

/**
 * The MySQL GTID index: per file, the set its PREVIOUS_GTIDS event carries (every GTID of the files before
 * it). A reader asking with a GTID set (COM_BINLOG_DUMP_GTID) starts, as MySQL's dump thread does, at the
 * newest file whose previous-GTIDs set the reader has executed, and the oldest held file's set is what the
 * relay no longer holds (@@gtid_purged).
 *
 * <pre>
 * column family  key                                          value
 * meta           "store.mysql_previous_gtids." file_seq       the set in text form (uuid:1-5,uuid:tag:1-3)
 * </pre>
 * The entry is written in the same atomic batch as the PREVIOUS_GTIDS event it comes from (for upstream and
 * imported files alike), and deleted in the same batch as the file when it is purged. A file whose first
 * stored event comes after its PREVIOUS_GTIDS (the relay started inside it) has no entry.
 *
 * <p>Threading: {@link #record} runs on the writer thread, {@link #purge} in the purge's batch, reads on any
 * thread; all of it under the store's read lock.
 */
final class MysqlGtidIndex {
    private static final Logger log = LoggerFactory.getLogger(MysqlGtidIndex.class);
    static final String PREFIX = Values.RESERVED_META_PREFIX + "mysql_previous_gtids.";

    private final RocksHandles rocks;

    MysqlGtidIndex(RocksHandles rocks) {
        this.rocks = rocks;
    }

    static byte[] key(long fileSeq) {
        return Values.utf8(PREFIX + fileSeq);
    }

    /** Adds the entry of a PREVIOUS_GTIDS event to the group's batch; other events are ignored. */
    void record(WriteBatch batch, BinlogFileInfo file, long position, byte[] event) throws RocksDBException {
        if (event.length < Events.HEADER_SIZE || Events.type(event) != EventType.PREVIOUS_GTIDS) {
            return;
        }
        MysqlGtidSet set;
        try {
            // the set announces its own length, so a CRC after it does not matter
            set = MysqlGtidEvent.previousGtids(event, ChecksumAlgorithm.NONE);
        } catch (BinlogFormatException e) {
            log.warn("{}:{}: PREVIOUS_GTIDS event not indexed: {}", file.name(), position, e.getMessage());
            return;
        }
        batch.put(rocks.meta, key(file.sequence()), Values.utf8(set.toString()));
    }

    /** Deletes the entries of purged files in the purge's batch. */
    void purge(WriteBatch batch, List<BinlogFileInfo> purged) throws RocksDBException {
        for (BinlogFileInfo f : purged) {
            batch.delete(rocks.meta, key(f.sequence()));
        }
    }

    /** The previous-GTIDs set of a held file, if it was stored with its PREVIOUS_GTIDS event. */
    Optional<MysqlGtidSet> previousGtids(BinlogFileInfo file) {
        try {
            byte[] v = rocks.db.get(rocks.meta, rocks.tuning.point, key(file.sequence()));
            if (v == null) {
                return Optional.empty();
            }
            return Optional.of(MysqlGtidSet.parse(Values.utf8(v)));
        } catch (RocksDBException e) {
            throw rocks.failure("read the MySQL GTID index entry of " + file.name(), e);
        } catch (IllegalArgumentException e) {
            throw new StoreException("corrupt MySQL GTID index entry of " + file.name() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The newest of {@code files} (oldest first) whose previous-GTIDs set {@code executed} contains: a reader with
     * that set needs nothing before it. Empty if no file qualifies (or none has an entry).
     */
    Optional<BinlogFileInfo> startFile(List<BinlogFileInfo> files, MysqlGtidSet executed) {
        for (int i = files.size() - 1; i >= 0; i--) {
            BinlogFileInfo f = files.get(i);
            Optional<MysqlGtidSet> previous = previousGtids(f);
            if (previous.isPresent() && executed.containsAll(previous.get())) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }
}
