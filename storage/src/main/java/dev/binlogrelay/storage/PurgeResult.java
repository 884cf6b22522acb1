package dev.binlogrelay.storage;

import java.util.List;
import java.util.Optional;

/**
 * What one {@link BinlogStore#purgeFilesBefore} call removed.
 *
 * @param purged          the files removed, oldest first (empty if nothing could go)
 * @param stoppedAtReader the file the purge stopped at because a reader's cursor is inside it, if that is why
 *                        it removed fewer files than asked
 */
public record PurgeResult(List<BinlogFileInfo> purged, Optional<BinlogFileInfo> stoppedAtReader) {
    public PurgeResult {
        purged = List.copyOf(purged);
    }

    /** Stored bytes of the purged files. */
    public long bytes() {
        return purged.stream().mapToLong(BinlogFileInfo::storedBytes).sum();
    }
}
