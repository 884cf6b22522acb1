package dev.binlogrelay.storage;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.LongFunction;

/**
 * Read-only channels of the {@link EventFiles} the writer has not opened (readers catching up over old files), at
 * most {@link #MAX} open, least recently used closed first: without a bound, a store of many files read once each
 * would hold a descriptor per file until purged. A read whose channel is closed under it (an eviction, or another
 * reader's interrupt: a FileChannel is interruptible) opens it again ({@link #reopens}). Thread-safe.
 */
final class ReadChannels {
    /** Channels open at most. */
    static final int MAX = 64;
    /** How many times one read opens a channel closed under it again. */
    private static final int RETRIES = 3;

    private final LongFunction<Path> path;
    private final LinkedHashMap<Long, FileChannel> open = new LinkedHashMap<>(16, 0.75f, true);
    private volatile int max = MAX;

    ReadChannels(LongFunction<Path> path) {
        this.path = path;
    }

    /** A channel opened, and the one it took the place of (to be closed by the caller, outside its locks), or null. */
    record Opened(FileChannel channel, FileChannel evicted) {
    }

    /** File {@code seq}'s open channel, or null. */
    synchronized FileChannel cached(long seq) {
        FileChannel ch = open.get(seq);
        return ch != null && ch.isOpen() ? ch : null;
    }

    /**
     * File {@code seq}'s channel, opened if needed (throws NoSuchFileException if the file is gone). The caller closes
     * the evicted one: reads already running on it finish; one starting on it gets ClosedChannelException and
     * opens it again.
     */
    synchronized Opened open(long seq) throws IOException {
        FileChannel ch = cached(seq);
        if (ch != null) {
            return new Opened(ch, null);
        }
        ch = FileChannel.open(path.apply(seq), StandardOpenOption.READ);
        open.put(seq, ch);
        FileChannel evicted = null;
        if (open.size() > max) {
            var eldest = open.entrySet().iterator();
            evicted = eldest.next().getValue();
            eldest.remove();
        }
        return new Opened(ch, evicted);
    }

    /** Closes file {@code seq}'s channel, if open (a purge). */
    void remove(long seq) throws IOException {
        FileChannel ch;
        synchronized (this) {
            ch = open.remove(seq);
        }
        if (ch != null) {
            ch.close();
        }
    }

    /** Forgets every channel and returns them, for the caller to close. */
    synchronized List<FileChannel> removeAll() {
        List<FileChannel> all = new ArrayList<>(open.values());
        open.clear();
        return all;
    }

    synchronized int size() {
        return open.size();
    }

    /** Test seam: a smaller bound. */
    void max(int n) {
        this.max = n;
    }

    /**
     * True if a read whose channel was closed under it should open it again: not when this thread was interrupted
     * (ClosedByInterruptException), nor after {@link #RETRIES} tries, nor once the files are closed.
     */
    static boolean reopens(ClosedChannelException e, int retries, boolean filesClosed) {
        return !(e instanceof ClosedByInterruptException) && !filesClosed && retries < RETRIES;
    }
}
