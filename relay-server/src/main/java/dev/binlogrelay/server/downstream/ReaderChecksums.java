package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.core.binlog.FormatDescription;

/**
 * The checksums of one reader's stream: the algorithm of the file being sent, and the rewriting of stored events
 * to the algorithm the reader declared ({@link ReaderOptions#checksum()}), unless it takes them as stored
 * ({@link ReaderOptions#asStored()}) or the file comes from a server before checksums (MySQL 5.5), whose events
 * have no room for one and are always sent as stored.
 *
 * <p>Threading: one per dump, on the reader's event loop only.
 */
final class ReaderChecksums {
    private final ReaderOptions options;
    private ChecksumAlgorithm stored;
    /** False for binlogs from servers before checksums: their events are always sent as stored. */
    private boolean rewritable;

    ReaderChecksums(ReaderOptions options) {
        this.options = options;
    }

    /** The stream starts inside a file: its stored algorithm and format description. */
    void startFile(ChecksumAlgorithm storedChecksum, byte[] formatDescription) {
        stored = storedChecksum;
        rewritable = FormatDescription.hasChecksumField(formatDescription);
    }

    /** A stored format description passed by: the events after it are stored with its algorithm. */
    void formatDescription(byte[] fde) {
        stored = FormatDescription.checksum(fde);
        rewritable = FormatDescription.hasChecksumField(fde);
    }

    /** Algorithm of the events being read from the store. */
    ChecksumAlgorithm stored() {
        return stored;
    }

    /** Algorithm of the events the relay makes up after the first fake rotate. */
    ChecksumAlgorithm artificial() {
        return options.asStored() || !rewritable ? stored : options.checksum();
    }

    /** A format description as the reader gets it: announcing the reader's algorithm when events are rewritten. */
    byte[] convertFde(byte[] fde) {
        if (options.asStored() || !rewritable || FormatDescription.checksum(fde) == options.checksum()) {
            return fde;
        }
        return FormatDescription.withChecksum(fde, options.checksum());
    }

    /** True if the reader gets stored events as they are ({@link #convert} returns its argument): sent without a copy. */
    boolean passesThrough() {
        return options.asStored() || !rewritable || stored == options.checksum();
    }

    /** A stored event as the reader gets it: with its CRC32 trailer added or removed when events are rewritten. */
    byte[] convert(byte[] event) {
        if (passesThrough()) {
            return event;
        }
        return stored == ChecksumAlgorithm.CRC32 ? Events.withoutCrc(event) : Events.withCrc(event);
    }
}
