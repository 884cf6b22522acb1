package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.binlog.FormatDescription;
import dev.binlogrelay.storage.BinlogReadView;
import dev.binlogrelay.storage.PositionException;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The format description event of each stored file (kept with the file's record in the store), cached. Thread-safe. */
public final class FileFormats {
    private final BinlogReadView store;
    private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

    public FileFormats(BinlogReadView store) {
        this.store = store;
    }

    public byte[] formatDescription(String file) {
        return cache.computeIfAbsent(file, f -> store.state().formatDescription(f)
                .orElseThrow(() -> new IllegalStateException("no format description stored for " + f)));
    }

    public boolean has(String file) {
        return cache.containsKey(file) || store.state().formatDescription(file).isPresent();
    }

    public ChecksumAlgorithm checksum(String file) {
        return FormatDescription.checksum(formatDescription(file));
    }

    void check(String file) throws PositionException {
        if (!has(file)) {
            throw new PositionException("no format description is stored for " + file);
        }
    }
}
