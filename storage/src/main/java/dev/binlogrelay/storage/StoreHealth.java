package dev.binlogrelay.storage;

import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether the store can take writes: the disk-full guard and the last storage error.
 *
 * <p><b>Disk full.</b> Before each batch the writer checks the file system's usable space: a batch that would
 * leave less than {@link StoreOptions#minFreeBytes()} is refused with a "disk full" {@link StoreException} and
 * nothing is written. This matters because RocksDB cannot take back a WAL write that failed with ENOSPC: it
 * turns read-only until the database is reopened (the Java API has no {@code Resume}). Space running out in a
 * background flush or compaction is different: RocksDB's own error handler retries those by itself once space
 * returns, and until then writes fail, which lands here as a storage error too.
 *
 * <p><b>Recovery.</b> While an error is recorded, {@link #writable()} checks again (free space, then a small
 * synced probe write) and clears it once the store takes writes; the upstream side calls it before
 * reconnecting, so ingestion resumes by itself. Readers are not affected: reads keep working throughout.
 *
 * <p>Thread-safe.
 */
final class StoreHealth {
    private static final Logger log = LoggerFactory.getLogger(StoreHealth.class);
    private static final byte[] PROBE_KEY = Values.utf8(Values.RESERVED_META_PREFIX + "probe");

    private final Path dir;
    private final long minFree;
    private final RocksHandles rocks;
    private final FileStore fileStore;
    private volatile String error;
    /** When the probe first failed with room on the disk (0 if it has not): some RocksDB errors last until reopen. */
    private volatile long probeFailingSince;
    private final java.util.concurrent.atomic.AtomicLong errors = new java.util.concurrent.atomic.AtomicLong();

    StoreHealth(Path dir, long minFreeBytes, RocksHandles rocks) {
        this.dir = dir;
        this.minFree = minFreeBytes;
        this.rocks = rocks;
        FileStore fs = null;
        try {
            fs = Files.getFileStore(dir);
        } catch (IOException e) {
            log.warn("store {}: cannot find its file system ({}); the free-space check is off", dir, e.getMessage());
        }
        this.fileStore = fs;
    }

    /** Refuses (and records) a write of {@code bytes} that would leave less than the configured free space. */
    void checkFreeSpace(long bytes) {
        if (minFree == 0 || fileStore == null) {
            return;
        }
        long usable = usable();
        if (usable >= 0 && usable - bytes < minFree) {
            String message = "store " + dir + ": disk full: " + usable + " bytes free on " + fileStore
                    + ", a write of " + bytes + " bytes would leave less than the " + minFree
                    + " bytes to keep free (storage.min_free_space); ingestion stops until there is room";
            failed(message);
            throw new StoreException(message);
        }
    }

    private long usable() {
        try {
            return fileStore.getUsableSpace();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Records a failed write or sync; logged once per change of message. */
    void failed(String message) {
        errors.incrementAndGet();
        if (!message.equals(error)) {
            log.error("{}", message);
        }
        error = message;
    }

    /** A write succeeded: the error, if any, is over. */
    void succeeded() {
        if (error != null) {
            log.warn("store {}: writes succeed again after: {}", dir, error);
            error = null;
        }
    }

    /** The storage error that stopped the last write, if it has not been cleared since. */
    Optional<String> error() {
        return Optional.ofNullable(error);
    }

    /** Failed writes and syncs since the store opened. */
    long errorCount() {
        return errors.get();
    }

    /**
     * True if the store takes writes: no error recorded, or (checked now) there is room again and a small synced
     * write succeeds. Call under the store's read lock.
     */
    boolean writable() {
        if (error == null) {
            return true;
        }
        if (minFree > 0 && fileStore != null && usable() >= 0 && usable() < minFree) {
            return false;
        }
        try (WriteBatch probe = new WriteBatch()) {
            probe.put(rocks.meta, PROBE_KEY, Values.utf8(Long.toString(System.currentTimeMillis())));
            rocks.db.write(rocks.tuning.syncedWrite, probe);
        } catch (RocksDBException e) {
            String message = rocks.failure("write (probe while recovering)", e).getMessage();
            long now = System.nanoTime();
            if (probeFailingSince == 0) {
                probeFailingSince = now;
                log.warn("{}", message);
            } else if (probeFailingSince > 0 && now - probeFailingSince > 60_000_000_000L) {
                probeFailingSince = -1; // said once
                log.error("store {} still refuses writes a minute after the disk has room again: RocksDB keeps some "
                        + "errors (a failed write-ahead-log append) until the database is reopened; restart the relay "
                        + "(readers are served meanwhile): {}", dir, message);
            }
            return false;
        }
        probeFailingSince = 0;
        succeeded();
        return true;
    }
}
