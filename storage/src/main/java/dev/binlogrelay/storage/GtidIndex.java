package dev.binlogrelay.storage;

import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

import java.util.Collections;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Queries on the MariaDB GTID index (layout in {@link Keys}). Entries are written in the batch of their group,
 * so RocksDB may show an entry a moment before the writer publishes its group; every answer is therefore
 * checked against the published {@link FileTable} and entries at or past the committed end are ignored.
 * A (domain, sequence) pair seen twice (a new primary reusing numbers without strict mode) keeps the later
 * position.
 *
 * <p>Called under the store's read lock.
 */
final class GtidIndex {
    private final RocksHandles rocks;

    GtidIndex(RocksHandles rocks) {
        this.rocks = rocks;
    }

    Optional<BinlogPosition> find(FileTable table, long domainId, long sequence) {
        checkDomain(domainId);
        byte[] value;
        try {
            value = rocks.db.get(rocks.gtid, rocks.tuning.point, Keys.gtid(domainId, sequence));
        } catch (RocksDBException e) {
            throw rocks.failure("read the GTID index at " + domainId + "-?-" + Long.toUnsignedString(sequence), e);
        }
        if (value == null) {
            return Optional.empty();
        }
        BinlogFileInfo f = publishedFile(table, value);
        return f == null ? Optional.empty() : Optional.of(new BinlogPosition(f.name(), Values.gtidPosition(value)));
    }

    Optional<MariaGtidRef> first(FileTable table, long domainId) {
        checkDomain(domainId);
        try (RocksIterator it = rocks.db.newIterator(rocks.gtid, rocks.tuning.point)) {
            for (it.seek(Keys.gtid(domainId, 0)); it.isValid() && Keys.gtidDomain(it.key()) == domainId; it.next()) {
                MariaGtidRef ref = published(table, it);
                if (ref != null) {
                    return Optional.of(ref);
                }
            }
            return Optional.empty();
        }
    }

    Optional<MariaGtidRef> last(FileTable table, long domainId) {
        checkDomain(domainId);
        try (RocksIterator it = rocks.db.newIterator(rocks.gtid, rocks.tuning.point)) {
            for (it.seekForPrev(Keys.gtid(domainId, -1L)); it.isValid() && Keys.gtidDomain(it.key()) == domainId; it.prev()) {
                MariaGtidRef ref = published(table, it);
                if (ref != null) {
                    return Optional.of(ref);
                }
            }
            return Optional.empty();
        }
    }

    /** Domains with at least one published entry, in order; one seek per domain. */
    Set<Long> domains(FileTable table) {
        Set<Long> domains = new TreeSet<>();
        try (RocksIterator it = rocks.db.newIterator(rocks.gtid, rocks.tuning.point)) {
            it.seekToFirst();
            while (it.isValid()) {
                MariaGtidRef ref = published(table, it);
                if (ref == null) {
                    it.next();
                    continue;
                }
                domains.add(ref.domainId());
                if (ref.domainId() == Keys.MAX_DOMAIN) {
                    break;
                }
                it.seek(Keys.gtid(ref.domainId() + 1, 0));
            }
        }
        return Collections.unmodifiableSet(domains);
    }

    /** The GTID under the iterator if its group is published, else null. */
    private static MariaGtidRef published(FileTable table, RocksIterator it) {
        byte[] value = it.value();
        if (publishedFile(table, value) == null) {
            return null;
        }
        byte[] key = it.key();
        return new MariaGtidRef(Keys.gtidDomain(key), Values.gtidServerId(value), Keys.gtidSequence(key));
    }

    /** The file of an index entry if the entry lies before the published committed end, else null. */
    private static BinlogFileInfo publishedFile(FileTable table, byte[] value) {
        long fileSeq = Values.gtidFileSeq(value);
        long position = Values.gtidPosition(value);
        BinlogFileInfo f = table.bySequence(fileSeq);
        return f != null && position < f.size() ? f : null;
    }

    private static void checkDomain(long domainId) {
        if (domainId < 0 || domainId > Keys.MAX_DOMAIN) {
            throw new IllegalArgumentException("GTID domain " + domainId + " is outside 0.." + Keys.MAX_DOMAIN);
        }
    }
}
