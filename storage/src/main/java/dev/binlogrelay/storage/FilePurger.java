package dev.binlogrelay.storage;

import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Removes whole files from the front of a store (retention), oldest first.
 *
 * <p><b>Rules.</b> The newest file is never purged (the writer appends to it). A file a reader's cursor is in
 * is never purged, and neither is anything after it: the purge stops before the oldest file holding a cursor
 * (a cursor standing at the very end of a file is still in that file until its next read). Purges run one at
 * a time.
 *
 * <p><b>Atomicity.</b> One fsynced RocksDB batch removes the files' records, their format descriptions, their
 * events and their GTID index entries and records the new {@link PurgedRange}; only after it is durable are the range and then the smaller
 * {@link FileTable} published. A crash before the batch leaves the files in place; after it they are gone.
 * Cursors are frozen (no cursor can open) from the final check of the cursors to the publication, so no cursor
 * can start in a file being purged; opening a purged file afterwards fails with "was purged".
 *
 * <p><b>How data is deleted.</b> Events: one {@code DeleteRange} tombstone over the purged files' keys (a
 * 1 GiB file holds millions of events; point deletes would make a batch as large as the file's key set),
 * then {@code deleteFilesInRanges}, which drops the SST files lying wholly inside the range without reading
 * them, then {@code compactRange} over the range, which rewrites the few SSTs straddling its end and drops the
 * tombstone, so the disk space comes back right away rather than whenever compaction next reaches the bottom
 * level (old binlog sits there and is rarely rewritten). GTID index: per domain the purged entries are a run of
 * keys from the domain's lowest sequence number up to the first entry in a kept file (MariaDB numbers a
 * domain's transactions in binlog order), deleted with one tombstone per domain. An out-of-order entry of a
 * purged file beyond that run stays in the index but is invisible (queries ignore entries of files the table
 * does not hold) and goes with a later purge.
 */
final class FilePurger {
    private static final Logger log = LoggerFactory.getLogger(FilePurger.class);
    /** A new cursor in the files being purged restarts the planning; after this many, the purge gives up. */
    private static final int MAX_ATTEMPTS = 5;

    private final StoreContext ctx;
    private final RocksHandles rocks;
    /** Test seam: runs between a purge's plan and its commit (the writer goes on meanwhile). */
    private volatile Runnable afterPlan = () -> { };

    FilePurger(StoreContext ctx) {
        this.ctx = ctx;
        this.rocks = ctx.rocks();
    }

    void afterPlan(Runnable hook) {
        this.afterPlan = hook;
    }

    /** Called under the store's read lock. */
    synchronized PurgeResult purgeBefore(String file) {
        FileTable table = ctx.table();
        BinlogFileInfo target = table.byName(file);
        if (target == null) {
            PurgedRange done = ctx.purged();
            if (done != null && done.covers(file)) {
                return new PurgeResult(List.of(), Optional.empty()); // purged already
            }
            throw new StoreException("store " + ctx.dir() + ": cannot purge the files before " + file
                    + ", which the store does not hold");
        }
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            Bound bound = ctx.withCursorsFrozen(() -> bound(target));
            BinlogFileInfo oldest = ctx.table().oldest();
            if (bound.seq <= oldest.sequence()) {
                return new PurgeResult(List.of(), bound.reader);
            }
            Plan plan = plan(oldest.sequence(), bound.seq);
            afterPlan.run();
            PurgeResult result = ctx.withCursorsFrozen(() -> {
                if (bound(target).seq < bound.seq) {
                    return null; // a reader opened a cursor in one of the files meanwhile: plan again
                }
                return commit(oldest.sequence(), bound, plan);
            });
            if (result != null) {
                reclaim(oldest.sequence(), bound.seq, plan);
                return result;
            }
            log.debug("store {}: a reader started in a file being purged; planning again", ctx.dir());
        }
        log.info("store {}: purge before {} gave up: readers kept opening cursors in the files", ctx.dir(), file);
        return new PurgeResult(List.of(), Optional.empty());
    }

    /** The first file to keep: the target, or the oldest file a cursor is in if that comes earlier. Cursors frozen. */
    private Bound bound(BinlogFileInfo target) {
        long seq = target.sequence();
        long reader = ctx.lowestCursorFile();
        if (reader < seq) {
            return new Bound(reader, Optional.ofNullable(ctx.table().bySequence(reader)));
        }
        return new Bound(seq, Optional.empty());
    }

    private record Bound(long seq, Optional<BinlogFileInfo> reader) {
    }

    /** The GTID index entries to delete and the last GTID per domain of the purged files [fromSeq, toSeq). */
    private record Plan(List<byte[][]> gtidRanges, Map<Long, IndexEntry> lastByDomain) {
    }

    private record IndexEntry(MariaGtidRef gtid, long fileSeq, long position) {
        boolean after(IndexEntry o) {
            return fileSeq > o.fileSeq || (fileSeq == o.fileSeq && position > o.position);
        }
    }

    /**
     * Reads the GTID index of the purged files, one run of keys per domain (see the class comment). The files
     * are older than the newest, so nothing changes them while this runs without locks.
     */
    private Plan plan(long fromSeq, long toSeq) {
        List<byte[][]> ranges = new ArrayList<>();
        Map<Long, IndexEntry> last = new HashMap<>();
        try (RocksIterator it = rocks.db.newIterator(rocks.gtid, rocks.tuning.scan)) {
            it.seekToFirst();
            while (it.isValid()) {
                long domain = Keys.gtidDomain(it.key());
                byte[] runEnd = null;
                boolean any = false;
                long lastSequence = 0;
                for (; it.isValid() && Keys.gtidDomain(it.key()) == domain; it.next()) {
                    byte[] value = it.value();
                    long fileSeq = Values.gtidFileSeq(value);
                    if (fileSeq >= toSeq) {
                        runEnd = it.key();
                        break;
                    }
                    any = true;
                    lastSequence = Keys.gtidSequence(it.key());
                    if (fileSeq >= fromSeq) {
                        byte[] key = it.key();
                        IndexEntry e = new IndexEntry(new MariaGtidRef(domain, Values.gtidServerId(value), Keys.gtidSequence(key)),
                                fileSeq, Values.gtidPosition(value));
                        IndexEntry before = last.get(domain);
                        if (before == null || e.after(before)) {
                            last.put(domain, e);
                        }
                    }
                }
                if (any) {
                    // no kept entry of the domain yet: end just after the last one read, not at the domain's end,
                    // which would also delete the entries the writer adds to the newest file before the commit
                    byte[] end = runEnd != null ? runEnd : lastSequence != -1L ? Keys.gtid(domain, lastSequence + 1)
                            : domain == Keys.MAX_DOMAIN ? Keys.AFTER_ALL_GTIDS : Keys.gtid(domain + 1, 0);
                    ranges.add(new byte[][] {Keys.gtid(domain, 0), end});
                }
                if (domain == Keys.MAX_DOMAIN) {
                    break;
                }
                it.seek(Keys.gtid(domain + 1, 0));
            }
            it.status();
        } catch (RocksDBException e) {
            throw rocks.failure("read the GTID index of the files to purge", e);
        }
        return new Plan(ranges, last);
    }

    /** Writes the purge as one synced batch and publishes it. Cursors frozen. */
    private PurgeResult commit(long fromSeq, Bound bound, Plan plan) {
        FileTable table = ctx.table();
        List<BinlogFileInfo> purged = new ArrayList<>();
        for (long s = fromSeq; s < bound.seq; s++) {
            purged.add(table.bySequence(s));
        }
        BinlogFileInfo firstKept = table.bySequence(bound.seq);
        PurgedRange before = ctx.purged();
        TreeMap<Long, MariaGtidRef> state = new TreeMap<>();
        if (before != null) {
            before.gtidState().forEach(g -> state.put(g.domainId(), g));
        }
        plan.lastByDomain.forEach((domain, e) -> state.put(domain, e.gtid()));
        long bytes = purged.stream().mapToLong(BinlogFileInfo::storedBytes).sum();
        PurgedRange range = new PurgedRange(before != null ? before.firstFile() : purged.get(0).name(),
                purged.get(purged.size() - 1).name(), new BinlogPosition(firstKept.name(), firstKept.firstPosition()),
                new ArrayList<>(state.values()), (before != null ? before.files() : 0) + purged.size(),
                (before != null ? before.bytes() : 0) + bytes);
        try (WriteBatch batch = new WriteBatch()) {
            batch.deleteRange(rocks.events, Keys.event(fromSeq, 0), Keys.event(bound.seq, 0));
            for (BinlogFileInfo f : purged) {
                batch.delete(rocks.files, Keys.file(f.sequence()));
                batch.delete(rocks.files, Keys.format(f.sequence()));
            }
            for (byte[][] r : plan.gtidRanges) {
                batch.deleteRange(rocks.gtid, r[0], r[1]);
            }
            ctx.mysqlGtidIndex().purge(batch, purged);
            for (Map.Entry<String, String> m : range.toMeta().entrySet()) {
                batch.put(rocks.meta, Values.utf8(m.getKey()), Values.utf8(m.getValue()));
            }
            rocks.db.write(rocks.tuning.syncedWrite, batch);
        } catch (RocksDBException e) {
            throw rocks.failure("purge " + purged.get(0).name() + " to " + range.lastFile(), e);
        }
        ctx.publishPurge(range, bound.seq);
        boolean mapped = false;
        for (BinlogFileInfo f : purged) {
            try {
                mapped |= rocks.eventFiles.delete(f.sequence());
            } catch (java.io.IOException e) {
                // the store no longer holds the file; the next opening deletes what is left of it
                log.warn("store {}: cannot delete the event file of purged {}: {}", ctx.dir(), f.name(), e.getMessage());
            }
        }
        if (mapped) {
            // a deleted file's blocks stay allocated while it is mapped, and a mapping goes only when a garbage
            // collection finds no view of it left (no cursor is in a purged file, and the segment cache dropped its
            // segments): ask for one now, or the purge might not give the disk space back for a long time. Rare (a
            // purge), and concurrent with ZGC; -XX:+DisableExplicitGC would defer the space to the next collection.
            System.gc();
        }
        log.info("store {}: purged {} file(s), {} to {} ({} bytes); oldest available {}, GTID state there '{}'", ctx.dir(),
                purged.size(), purged.get(0).name(), range.lastFile(), bytes, range.firstAvailable(), range.gtidStateText());
        return new PurgeResult(purged, bound.reader);
    }

    /** Gives the disk space back now (see the class comment). A failure here loses nothing: it is only logged. */
    private void reclaim(long fromSeq, long toSeq, Plan plan) {
        byte[] begin = Keys.event(fromSeq, 0);
        byte[] end = Keys.event(toSeq, 0);
        try {
            rocks.db.deleteFilesInRanges(rocks.events, List.of(begin, end), false);
            rocks.db.compactRange(rocks.events, begin, end);
            for (byte[][] r : plan.gtidRanges) {
                rocks.db.compactRange(rocks.gtid, r[0], r[1]);
            }
        } catch (RocksDBException e) {
            log.warn("store {}: purged data is deleted but its space is not reclaimed yet (compaction will): {}", ctx.dir(),
                    rocks.failure("compact the purged range", e).getMessage());
        }
    }
}
