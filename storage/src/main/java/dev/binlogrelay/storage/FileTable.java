package dev.binlogrelay.storage;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The in-memory view of the store's files: names, order and committed sizes. Replaced as a whole on every
 * change (copy-on-write), so readers get a consistent snapshot without locks.
 */
final class FileTable {
    private final List<BinlogFileInfo> files;
    private final Map<String, BinlogFileInfo> byName;
    private final Map<Long, BinlogFileInfo> bySeq;

    FileTable(List<BinlogFileInfo> files) {
        this.files = List.copyOf(files);
        this.byName = new HashMap<>();
        this.bySeq = new HashMap<>();
        for (BinlogFileInfo f : files) {
            byName.put(f.name(), f);
            bySeq.put(f.sequence(), f);
        }
    }

    List<BinlogFileInfo> all() {
        return files;
    }

    Optional<BinlogFileInfo> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    Optional<BinlogFileInfo> bySequence(long seq) {
        return Optional.ofNullable(bySeq.get(seq));
    }

    Optional<BinlogFileInfo> after(long seq) {
        for (BinlogFileInfo f : files) {
            if (f.sequence() > seq) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    Optional<BinlogFileInfo> newest() {
        return files.isEmpty() ? Optional.empty() : Optional.of(files.get(files.size() - 1));
    }

    FileTable with(BinlogFileInfo changed) {
        List<BinlogFileInfo> copy = new ArrayList<>(files);
        boolean replaced = false;
        for (int i = 0; i < copy.size(); i++) {
            if (copy.get(i).sequence() == changed.sequence()) {
                copy.set(i, changed);
                replaced = true;
            }
        }
        if (!replaced) {
            copy.add(changed);
        }
        return new FileTable(copy);
    }
}
