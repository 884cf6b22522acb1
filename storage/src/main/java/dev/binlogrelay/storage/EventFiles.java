package dev.binlogrelay.storage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The event bytes of layout 4: one plain file per stored binlog file, in {@code <store>/events/}, holding the
 * upstream's bytes at the upstream's own positions (byte {@code p} of the file is byte {@code p} of the primary's
 * binlog file; positions the store never held, before its first event, are a hole). RocksDB keeps only the index
 * of each {@link Chunk}: its events' flags and lengths ({@link Chunk#INDEX_MARKER}).
 *
 * <p>Why: with the bytes in RocksDB every byte went through the WAL (software CRC32C), a memtable, a flush and
 * compactions, and every read through blocks, checksums and a JNI copy. A plain file is written once and read
 * with one {@code pread} per stretch, from the page cache, as the primary reads its own binlog.
 *
 * <p><b>Durability.</b> A batch's bytes are written here before the RocksDB batch that indexes them; where the store
 * fsyncs ({@link SyncMode}), the files written since the last sync are fsynced ({@link #force}) before RocksDB gets
 * the batch. Bytes past the committed end are cut when the store opens, and a file shorter than its index makes the
 * store refuse to open ({@link StoreRecovery}).
 *
 * <p><b>Threads.</b> One writer ({@link #write}, {@link #force}) with its own channels; readers use read-only ones
 * ({@link ReadChannels}) and positional reads. A purge ({@link #delete}) closes and deletes a file no cursor is in; a
 * reader racing it (a point read such as SHOW BINLOG EVENTS) gets "was purged".
 */
final class EventFiles implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventFiles.class);
    /** Largest slice of a heap array written or read in one call: the JDK's temporary direct buffer stays this small. */
    private static final int SLICE = 1 << 20;

    private final Path dir;
    private final boolean fsync;
    /** The writer's channels: the newest file's, and older ones until their bytes are fsynced ({@link #retire}). */
    private final ConcurrentHashMap<Long, FileChannel> open = new ConcurrentHashMap<>();
    private volatile long newest = -1; // the file last written to, read by {@link #retire}
    /** Readers' channels, bounded (readers never use the writer's). */
    private final ReadChannels reads = new ReadChannels(this::path);
    /** Mapped regions ({@link #view}); a purge drops a file's. */
    private final MappedRegions maps = new MappedRegions();
    /** Files written since the last {@link #force}; writer thread (and the syncer, under {@code this}). */
    private final Set<Long> dirty = new HashSet<>();
    private volatile boolean closed;
    /** Files fsynced so far by {@link #force}: for tests. */
    private final java.util.concurrent.atomic.AtomicLong forced = new java.util.concurrent.atomic.AtomicLong();
    /** Test seam: the next {@link #force} of a file throws this (an fsync failing with EIO), once. */
    private volatile IOException failNextForce;
    /** Test seam: runs at the start of every {@link #force}. */
    private volatile Runnable beforeForce = () -> { };

    /** {@code fsync}: whether new files' directory entries are fsynced (any mode but {@code none}). */
    EventFiles(Path storeDir, boolean fsync) {
        this.dir = storeDir.resolve("events");
        this.fsync = fsync;
        try {
            boolean created = !Files.isDirectory(dir);
            Files.createDirectories(dir);
            if (created && fsync) {
                syncDirectory(storeDir); // the store directory's entry for it: a power loss keeps it with its files
            }
        } catch (IOException e) {
            throw new StoreException("store " + storeDir + ": cannot create " + dir + ": " + e.getMessage(), e);
        }
    }

    static Path dirOf(Path storeDir) {
        return storeDir.resolve("events");
    }

    Path path(long fileSeq) {
        return dir.resolve(String.format("%010d", fileSeq));
    }

    /** Writes {@code bytes} (position to limit) at {@code position} of file {@code fileSeq}. Writer thread. */
    void write(long fileSeq, long position, ByteBuffer bytes) throws IOException {
        if (fileSeq != newest) {
            newest = fileSeq; // before its channel is opened: a retirement never takes the file being written
            if (!fsync) {
                retire(); // with fsyncs, force() retires: a close here could fail the fsync it runs
            }
        }
        long at = position;
        boolean retried = false;
        while (bytes.hasRemaining()) {
            FileChannel ch = channel(fileSeq, true);
            try {
                at += ch.write(bytes, at);
            } catch (AsynchronousCloseException e) {
                // closed by another thread's interrupt (not ours: that is ClosedByInterruptException) or a close
                if (e instanceof ClosedByInterruptException || closed || retried) {
                    throw e;
                }
                retried = true;
            }
        }
        synchronized (this) {
            dirty.add(fileSeq);
        }
    }

    /** Writes a heap array at {@code position}, in slices (a large event is not copied whole into a direct buffer). */
    void write(long fileSeq, long position, byte[] bytes) throws IOException {
        for (int off = 0; off < bytes.length; off += SLICE) {
            write(fileSeq, position + off, ByteBuffer.wrap(bytes, off, Math.min(SLICE, bytes.length - off)));
        }
    }

    /**
     * Fsyncs (data only) every file written since the last call. If one fails, it and the files not reached stay
     * to be fsynced by the next call: the WAL must not be synced (nor its groups published) before they are.
     */
    void force() throws IOException {
        beforeForce.run();
        List<Long> files;
        synchronized (this) {
            files = new ArrayList<>(dirty);
            dirty.clear();
        }
        for (int i = 0; i < files.size(); i++) {
            FileChannel ch = open.get(files.get(i));
            try {
                IOException fail = failNextForce;
                if (fail != null) {
                    failNextForce = null;
                    throw fail;
                }
                if (ch != null && ch.isOpen()) {
                    ch.force(false);
                } else { // retired, or closed by the writer's interrupt: a short-lived descriptor syncs the same file
                    try (FileChannel c = FileChannel.open(path(files.get(i)), StandardOpenOption.WRITE)) {
                        c.force(false);
                    } catch (NoSuchFileException purged) {
                        continue;
                    }
                }
                forced.incrementAndGet();
            } catch (IOException | RuntimeException e) {
                synchronized (this) {
                    dirty.addAll(files.subList(i, files.size()));
                }
                throw e;
            }
        }
        retire();
    }

    /**
     * Closes the writer's channels of files before the one last written, once none of their bytes wait for an fsync
     * (at the end of force(); without fsyncs, on a change of file): a relay kept a descriptor per file it wrote.
     */
    private void retire() {
        List<FileChannel> retired = new ArrayList<>();
        synchronized (open) {
            for (Long seq : List.copyOf(open.keySet())) {
                boolean pending;
                synchronized (this) {
                    pending = fsync && dirty.contains(seq);
                }
                if (seq < newest && !pending) {
                    retired.add(open.remove(seq));
                }
            }
        }
        closeAll(retired);
    }

    private void closeAll(List<FileChannel> channels) {
        for (FileChannel ch : channels) {
            try {
                ch.close();
            } catch (IOException e) {
                log.warn("store {}: cannot close an event file: {}", dir.getParent(), e.getMessage());
            }
        }
    }

    /** Test seam: {@code hook} runs at the start of every {@link #force} (e.g. to hold it). */
    void beforeForce(Runnable hook) {
        this.beforeForce = hook;
    }

    /** Test seam: the next fsync of a file fails with {@code e}. */
    void failNextForce(IOException e) {
        this.failNextForce = e;
    }

    /** Files fsynced since the store opened. */
    long forced() {
        return forced.get();
    }

    /**
     * Fills {@code into} (position to limit) from {@code position} of file {@code fileSeq}; throws if the file is
     * shorter (the index promised bytes the file does not have) or was purged.
     */
    void read(long fileSeq, String fileName, long position, ByteBuffer into) {
        try {
            long at = position;
            int retries = 0;
            while (into.hasRemaining()) {
                FileChannel ch = readChannel(fileSeq);
                int n;
                try {
                    n = ch.read(into, at);
                } catch (ClosedChannelException e) {
                    if (!ReadChannels.reopens(e, retries++, closed)) {
                        throw e;
                    }
                    continue; // closed by another thread (an eviction, another reader's interrupt): open it again
                }
                if (n < 0) {
                    throw new StoreException("store " + dir.getParent() + ": " + path(fileSeq) + " ends at " + at
                            + " but the index of " + fileName + " has events up to " + (at + into.remaining()));
                }
                at += n;
            }
        } catch (IOException e) {
            throw failure("read", fileSeq, fileName, position, e);
        }
    }

    /** A read's or mapping's I/O failure as the store reports it: interrupted, purged, or the error itself. */
    private StoreException failure(String doing, long fileSeq, String fileName, long position, IOException e) {
        String store = "store " + dir.getParent() + ": ";
        if (e instanceof ClosedByInterruptException) {
            return new StoreException(store + "interrupted while " + (doing.equals("map") ? "mapping " : "reading ")
                    + fileName + " at " + position, e);
        }
        if (e instanceof ClosedChannelException || e instanceof NoSuchFileException) {
            boolean purged = e instanceof NoSuchFileException || !Files.exists(path(fileSeq));
            return new StoreException(store + fileName + (closed ? " was being read as the store closed" : purged
                    ? " was purged while being read" : ": its descriptor was closed under every try to read it"), e);
        }
        return new StoreException(store + "cannot " + doing + " " + fileName + " at " + position + " from " + path(fileSeq)
                + ": " + e.getMessage(), e);
    }

    /** Reads {@code length} bytes at {@code position} into a new array (a large event), in slices. */
    byte[] read(long fileSeq, String fileName, long position, int length) {
        byte[] out = new byte[length];
        for (int off = 0; off < length; off += SLICE) {
            read(fileSeq, fileName, position + off, ByteBuffer.wrap(out, off, Math.min(SLICE, length - off)));
        }
        return out;
    }

    /**
     * A read-only view of bytes [from, to) of file {@code fileSeq}, mapped in memory (no copy: the page cache
     * itself), or null if the stretch crosses the end of a mapped region (the caller then reads it with
     * {@link #read}); see {@link MappedRegions}.
     */
    ByteBuffer view(long fileSeq, String fileName, long from, long to) {
        try {
            return maps.view(fileSeq, from, to, (start, maxLength) -> {
                for (int retries = 0; ; retries++) {
                    try {
                        FileChannel ch = readChannel(fileSeq);
                        long size = Math.min(ch.size() - start, maxLength);
                        if (start + size < to) {
                            throw new StoreException("store " + dir.getParent() + ": " + path(fileSeq) + " ends at "
                                    + (start + size) + " but the index of " + fileName + " has events up to " + to);
                        }
                        return ch.map(FileChannel.MapMode.READ_ONLY, start, size);
                    } catch (ClosedChannelException e) {
                        if (!ReadChannels.reopens(e, retries, closed)) {
                            throw e;
                        }
                    }
                }
            });
        } catch (IOException e) {
            throw failure("map", fileSeq, fileName, from, e);
        }
    }

    /** Regions mapped since the store opened. */
    long mappings() {
        return maps.mappings();
    }

    /** Test seam: smaller mapped regions, so that a test's events cross their ends. Before any read. */
    void mapRegions(long regionBytes, long overlapBytes) {
        maps.regions(regionBytes, overlapBytes);
    }

    /**
     * Closes and deletes file {@code fileSeq} (a purge, after its batch is durable). Missing is fine. Returns
     * whether the file had been mapped: its mappings (and so its disk blocks) go only when a garbage collection
     * finds them unreachable (see {@link FilePurger}).
     */
    boolean delete(long fileSeq) throws IOException {
        synchronized (open) { // no reader opens the file again between its removal and its deletion
            FileChannel ch = open.remove(fileSeq);
            if (ch != null) {
                ch.close();
            }
            reads.remove(fileSeq);
            Files.deleteIfExists(path(fileSeq));
        }
        return maps.drop(fileSeq);
    }

    /** A read-only channel of file {@code fileSeq}, one of {@link #reads}; NoSuchFileException if purged. */
    private FileChannel readChannel(long fileSeq) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        FileChannel ch = reads.cached(fileSeq); // never the writer's: a reader's interrupt would close it
        if (ch != null) {
            return ch;
        }
        ReadChannels.Opened opened;
        synchronized (open) { // a purge deletes and a close collects under this lock: no channel is left behind
            if (closed) {
                throw new ClosedChannelException();
            }
            opened = reads.open(fileSeq);
        }
        if (opened.evicted() != null) {
            opened.evicted().close(); // outside the lock: a close waits for the reads in progress on it
        }
        return opened.channel();
    }

    /** Readers' channels (for tests). */
    ReadChannels reads() {
        return reads;
    }

    private FileChannel channel(long fileSeq, boolean create) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        FileChannel ch = open.get(fileSeq);
        if (ch != null && ch.isOpen()) {
            return ch;
        }
        synchronized (open) {
            ch = open.get(fileSeq);
            if (ch != null && ch.isOpen()) {
                return ch;
            }
            // absent, or closed by the interrupt of a thread that used it (a FileChannel is interruptible, and one
            // interrupted reader would otherwise leave the writer and every reader of the file failing): open it
            if (closed) {
                throw new ClosedChannelException();
            }
            Path p = path(fileSeq);
            boolean created = create && !Files.exists(p);
            ch = create
                    ? FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)
                    : FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE);
            if (created && fsync) {
                syncDirectory(dir);
            }
            open.put(fileSeq, ch);
            return ch;
        }
    }

    /** Makes a new file's directory entry durable (its data is fsynced with the batches that write it). */
    private static void syncDirectory(Path d) throws IOException {
        try (FileChannel c = FileChannel.open(d, StandardOpenOption.READ)) {
            c.force(true);
        }
    }

    /** Fsyncs what was written (a clean shutdown makes unsynced groups durable) and closes every file. */
    @Override
    public void close() {
        try {
            force(); // before closed is set: it may have to open again a channel an interrupted reader closed
        } catch (IOException e) {
            log.warn("store {}: cannot sync the event files on close: {}", dir.getParent(), e.getMessage());
        }
        List<FileChannel> all;
        synchronized (open) { // no reader adds a channel after this
            closed = true;
            all = new ArrayList<>(open.values());
            all.addAll(reads.removeAll());
        }
        closeAll(all);
        open.clear();
        maps.clear();
    }
}
