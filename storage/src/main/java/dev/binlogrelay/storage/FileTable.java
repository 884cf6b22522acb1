package dev.binlogrelay.storage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The published state of the store: its files in order and their committed sizes. The committed end of the
 * store is the end of its newest file. Immutable; the writer publishes a new table after every group through
 * one volatile write, so a reader gets files and committed end from the same commit without a lock.
 *
 * <p>Only the newest file grows, so appending to it shares the older files with the previous table (O(1));
 * a new file copies the list once (O(files)), and so does a purge of the oldest files. Sequence numbers stay
 * contiguous after a purge; they just no longer start at 1.
 */
final class FileTable {
    static final FileTable EMPTY = new FileTable(new BinlogFileInfo[0], Map.of(), null);

    /** Every file but the newest, by sequence; contiguous sequence numbers. Shared, never modified. */
    private final BinlogFileInfo[] older;
    private final Map<String, BinlogFileInfo> olderByName;
    private final BinlogFileInfo newest;

    private FileTable(BinlogFileInfo[] older, Map<String, BinlogFileInfo> olderByName, BinlogFileInfo newest) {
        this.older = older;
        this.olderByName = olderByName;
        this.newest = newest;
    }

    /** Builds a table from recovered files, which must have contiguous sequence numbers and unique names. */
    static FileTable of(List<BinlogFileInfo> files) {
        FileTable t = EMPTY;
        for (BinlogFileInfo f : files) {
            if (t.newest != null && f.sequence() != t.newest.sequence() + 1) {
                throw new StoreException("file #" + f.sequence() + " (" + f.name() + ") follows #" + t.newest.sequence()
                        + ": sequence numbers have a gap");
            }
            if (t.byName(f.name()) != null) {
                throw new StoreException("file name " + f.name() + " appears twice (#" + f.sequence() + ")");
            }
            t = t.withNewFile(f);
        }
        return t;
    }

    boolean isEmpty() {
        return newest == null;
    }

    /** Sequence number of the newest file; 0 for an empty store. */
    long endSeq() {
        return newest == null ? 0 : newest.sequence();
    }

    /** Offset after the last committed group in the newest file; 0 for an empty store. */
    long endPos() {
        return newest == null ? 0 : newest.size();
    }

    Optional<BinlogPosition> end() {
        return newest == null ? Optional.empty() : Optional.of(new BinlogPosition(newest.name(), newest.size()));
    }

    /** True if committed data lies at or after (seq, pos): the committed end is past that point. */
    boolean endIsAfter(long seq, long pos) {
        long endSeq = endSeq();
        return endSeq > seq || (endSeq == seq && endPos() > pos);
    }

    BinlogFileInfo newest() {
        return newest;
    }

    /** The file with that sequence number, or null. */
    BinlogFileInfo bySequence(long seq) {
        if (newest == null) {
            return null;
        }
        if (seq == newest.sequence()) {
            return newest;
        }
        long index = older.length == 0 ? -1 : seq - older[0].sequence();
        return index >= 0 && index < older.length ? older[(int) index] : null;
    }

    /** The file with that name, or null. */
    BinlogFileInfo byName(String name) {
        if (newest != null && newest.name().equals(name)) {
            return newest;
        }
        return olderByName.get(name);
    }

    List<BinlogFileInfo> all() {
        List<BinlogFileInfo> list = new ArrayList<>(older.length + 1);
        Collections.addAll(list, older);
        if (newest != null) {
            list.add(newest);
        }
        return Collections.unmodifiableList(list);
    }

    /** The newest file has grown (same sequence number, larger size). */
    FileTable withNewestGrown(BinlogFileInfo grown) {
        if (newest == null || grown.sequence() != newest.sequence()) {
            throw new IllegalStateException("file #" + grown.sequence() + " is not the newest file");
        }
        return new FileTable(older, olderByName, grown);
    }

    /**
     * The files from sequence number {@code seq} on: the older ones are purged. The newest file always stays,
     * so {@code seq} may not lie beyond it. Copies the list once (O(files)).
     */
    FileTable withoutFilesBefore(long seq) {
        if (newest == null || seq > newest.sequence()) {
            throw new IllegalStateException("cannot purge the files before #" + seq + ": the newest file is #" + endSeq());
        }
        int from = older.length == 0 ? 0 : (int) Math.max(0, Math.min(older.length, seq - older[0].sequence()));
        if (from == 0) {
            return this;
        }
        BinlogFileInfo[] kept = Arrays.copyOfRange(older, from, older.length);
        Map<String, BinlogFileInfo> names = new HashMap<>();
        for (BinlogFileInfo f : kept) {
            names.put(f.name(), f);
        }
        return new FileTable(kept, Collections.unmodifiableMap(names), newest);
    }

    /** The oldest file, or null for an empty table. */
    BinlogFileInfo oldest() {
        return older.length > 0 ? older[0] : newest;
    }

    /** A new file becomes the newest; the current newest joins the older files. */
    FileTable withNewFile(BinlogFileInfo added) {
        if (newest == null) {
            return new FileTable(older, olderByName, added);
        }
        BinlogFileInfo[] grownOlder = Arrays.copyOf(older, older.length + 1);
        grownOlder[older.length] = newest;
        Map<String, BinlogFileInfo> names = new HashMap<>(olderByName);
        names.put(newest.name(), newest);
        return new FileTable(grownOlder, Collections.unmodifiableMap(names), added);
    }
}
