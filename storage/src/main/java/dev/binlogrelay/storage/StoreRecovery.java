package dev.binlogrelay.storage;

import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Rebuilds the published state when a store opens: the files, and the committed end recorded in {@code meta}.
 * The committed end is the truth; anything past it was never acknowledged and is deleted (events, file
 * records and GTID index entries). A group is one atomic batch, so this should never find anything; the
 * clean-up is defensive and says so in the log when it does. A {@link Chunk} never spans two batches, so the
 * committed end is always a chunk boundary; a chunk running past it is refused as damage.
 */
final class StoreRecovery {
    private static final Logger log = LoggerFactory.getLogger(StoreRecovery.class);

    private final RocksHandles rocks;
    /** Sequence numbers of the files with a stored format description. */
    private final List<Long> formats = new ArrayList<>();

    StoreRecovery(RocksHandles rocks) {
        this.rocks = rocks;
    }

    FileTable recover() {
        new StoreMigration(rocks).migrate();
        List<BinlogFileInfo> stored = readFiles();
        long[] end = committedEnd(stored);
        List<BinlogFileInfo> kept = new ArrayList<>();
        List<BinlogFileInfo> stray = new ArrayList<>();
        for (BinlogFileInfo f : stored) {
            (f.sequence() <= end[0] ? kept : stray).add(f);
        }
        if (!kept.isEmpty()) {
            BinlogFileInfo newest = kept.get(kept.size() - 1);
            if (newest.sequence() != end[0] || newest.size() != end[1]) {
                throw new StoreException("store " + rocks.dir + ": committed end " + Values.committed(end[0], end[1])
                        + " disagrees with the newest file record " + newest + "; refusing to guess");
            }
        } else if (end[0] != 0) {
            throw new StoreException("store " + rocks.dir + ": committed end " + Values.committed(end[0], end[1])
                    + " but no file records; refusing to guess");
        }
        deleteOrphanFormats(kept);
        checkLastChunk(end);
        long strayEvents = countEventsFrom(end[0], end[1]);
        if (strayEvents > 0 || !stray.isEmpty()) {
            long strayGtids = deleteStray(end, stray);
            log.warn("store {}: removed {} event records, {} file records and {} GTID index entries past the committed end {} "
                    + "(left by an unclean stop; they were never acknowledged)", rocks.dir, strayEvents, stray.size(), strayGtids,
                    Values.committed(end[0], end[1]));
        }
        reconcileEventFiles(kept);
        return FileTable.of(kept);
    }

    /**
     * Brings the event files in line with the index: deletes the files of file records no longer held (a purge
     * or clean-up whose deletion a crash interrupted), cuts bytes past a file's committed size (written before a
     * batch that never committed), and refuses a file shorter than its index needs: its bytes were lost, which
     * only a power failure in a mode that does not fsync ({@code storage.sync: none}) or damage can do.
     */
    private void reconcileEventFiles(List<BinlogFileInfo> kept) {
        EventFiles files = rocks.eventFiles;
        try {
            java.util.Set<Long> held = new java.util.HashSet<>();
            kept.forEach(f -> held.add(f.sequence()));
            for (long seq : present(EventFiles.dirOf(rocks.dir))) {
                if (!held.contains(seq)) {
                    files.delete(seq);
                    log.info("store {}: deleted the event file {} of a file the store no longer holds", rocks.dir, files.path(seq));
                }
            }
            for (BinlogFileInfo f : kept) {
                java.nio.file.Path p = files.path(f.sequence());
                long length = java.nio.file.Files.exists(p) ? java.nio.file.Files.size(p) : 0;
                long needed = indexedEnd(f);
                if (length < needed) {
                    throw new StoreException("store " + rocks.dir + ": " + files.path(f.sequence()) + " holds " + length
                            + " bytes but the store indexed " + f.name() + " up to " + needed + "; the bytes in between were lost"
                            + " (a power failure with storage.sync: none?). Move the store directory away and start the relay"
                            + " again to rebuild it from the primary");
                }
                if (length > f.size()) {
                    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(p,
                            java.nio.file.StandardOpenOption.WRITE)) {
                        ch.truncate(f.size());
                        ch.force(true);
                    }
                    log.info("store {}: cut {} bytes past the committed end of {} from {} (written before an unclean stop,"
                            + " never acknowledged)", rocks.dir, length - f.size(), f.name(), files.path(f.sequence()));
                }
            }
        } catch (java.io.IOException e) {
            throw new StoreException("store " + rocks.dir + ": cannot check the event files: " + e.getMessage(), e);
        }
    }

    /** Sequence numbers of the event files present in {@code dir}. */
    static List<Long> present(java.nio.file.Path dir) throws java.io.IOException {
        try (java.util.stream.Stream<java.nio.file.Path> s = java.nio.file.Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.length() == 10 && n.chars().allMatch(Character::isDigit))
                    .map(Long::parseLong).toList();
        }
    }

    /** End of the bytes the file's index values point to in its event file; 0 if its last value holds its bytes. */
    private long indexedEnd(BinlogFileInfo f) {
        if (f.size() <= f.firstPosition()) {
            return 0;
        }
        try (RocksIterator it = rocks.db.newIterator(rocks.events, rocks.tuning.point)) {
            it.seekForPrev(Keys.event(f.sequence(), f.size() - 1));
            if (it.isValid() && Keys.eventFile(it.key()) == f.sequence() && Chunk.isIndex(it.value())) {
                return Chunk.end(f.name(), Keys.eventPosition(it.key()), it.value());
            }
            return 0;
        }
    }

    private List<BinlogFileInfo> readFiles() {
        List<BinlogFileInfo> files = new ArrayList<>();
        try (RocksIterator it = rocks.db.newIterator(rocks.files, rocks.tuning.point)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                if (Keys.isFormat(it.key())) {
                    formats.add(Keys.formatFileSeq(it.key()));
                    continue;
                }
                files.add(Values.file(Keys.fileSeq(it.key()), it.value()));
            }
            it.status();
        } catch (RocksDBException e) {
            throw rocks.failure("read the file records", e);
        } catch (StoreException e) {
            throw new StoreException("store " + rocks.dir + ": corrupt file record: " + e.getMessage(), e);
        }
        return files;
    }

    /** {file_seq, position} of the committed end; {0, 0} for a store that never committed a group. */
    private long[] committedEnd(List<BinlogFileInfo> files) {
        String value = meta(Values.META_COMMITTED);
        if (value == null) {
            if (!files.isEmpty()) {
                throw new StoreException("store " + rocks.dir + ": " + files.size() + " file records but no committed end (meta "
                        + Values.META_COMMITTED + "); refusing to guess");
            }
            return new long[] {0, 0};
        }
        try {
            return Values.parseCommitted(value);
        } catch (StoreException e) {
            throw new StoreException("store " + rocks.dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Refuses a store whose last event record before the committed end runs past it: a chunk is written in the
     * batch that records the end after it, so only a damaged store can have one.
     */
    private void checkLastChunk(long[] end) {
        if (end[0] == 0) {
            return;
        }
        try (RocksIterator it = rocks.db.newIterator(rocks.events, rocks.tuning.point)) {
            it.seekForPrev(Keys.event(end[0], end[1] - 1));
            if (it.isValid() && Keys.eventFile(it.key()) == end[0]) {
                long at = Keys.eventPosition(it.key());
                long chunkEnd = Chunk.end("#" + end[0], at, it.value());
                if (chunkEnd > end[1]) {
                    throw new StoreException("store " + rocks.dir + ": the event record at #" + end[0] + ":" + at + " ends at "
                            + chunkEnd + ", past the committed end " + Values.committed(end[0], end[1]) + "; refusing to guess");
                }
            }
        }
    }

    /** Event records (chunks or single events) at or past the committed end. */
    private long countEventsFrom(long seq, long pos) {
        long n = 0;
        try (RocksIterator it = rocks.db.newIterator(rocks.events, rocks.tuning.point)) {
            for (it.seek(Keys.event(seq, pos)); it.isValid(); it.next()) {
                n++;
            }
        }
        return n;
    }

    /** Deletes events, file records and GTID entries at or past the committed end; returns the GTID count. */
    private long deleteStray(long[] end, List<BinlogFileInfo> strayFiles) {
        long gtids = 0;
        try (WriteBatch batch = new WriteBatch(); RocksIterator it = rocks.db.newIterator(rocks.gtid, rocks.tuning.point)) {
            batch.deleteRange(rocks.events, Keys.event(end[0], end[1]), Keys.AFTER_ALL_EVENTS);
            for (BinlogFileInfo f : strayFiles) {
                batch.delete(rocks.files, Keys.file(f.sequence()));
                batch.delete(rocks.files, Keys.format(f.sequence()));
            }
            // a full scan, but only after an unclean stop that left events behind
            for (it.seekToFirst(); it.isValid(); it.next()) {
                byte[] v = it.value();
                long s = Values.gtidFileSeq(v);
                if (s > end[0] || (s == end[0] && Values.gtidPosition(v) >= end[1])) {
                    batch.delete(rocks.gtid, it.key());
                    gtids++;
                }
            }
            rocks.db.write(rocks.tuning.syncedWrite, batch);
        } catch (RocksDBException e) {
            throw rocks.failure("delete data past the committed end " + Values.committed(end[0], end[1]), e);
        }
        return gtids;
    }

    /**
     * Deletes the format descriptions of files older than the oldest kept one: a purge deletes them in its own
     * batch, but one recorded for a file while it was being purged could outlive it.
     */
    private void deleteOrphanFormats(List<BinlogFileInfo> kept) {
        long oldest = kept.isEmpty() ? Long.MAX_VALUE : kept.get(0).sequence();
        List<Long> orphans = formats.stream().filter(s -> s < oldest).toList();
        if (orphans.isEmpty()) {
            return;
        }
        try (WriteBatch batch = new WriteBatch()) {
            for (long s : orphans) {
                batch.delete(rocks.files, Keys.format(s));
            }
            rocks.db.write(rocks.tuning.syncedWrite, batch);
        } catch (RocksDBException e) {
            throw rocks.failure("delete format descriptions of purged files", e);
        }
        log.info("store {}: deleted {} format description(s) of files purged before", rocks.dir, orphans.size());
    }

    private String meta(String key) {
        return StoreState.readMeta(rocks, key);
    }
}
