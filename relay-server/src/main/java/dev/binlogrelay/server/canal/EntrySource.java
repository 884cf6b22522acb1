package dev.binlogrelay.server.canal;

import com.alibaba.otter.canal.protocol.CanalEntry;
import dev.binlogrelay.server.canal.entry.EncodedEntry;

import java.util.ArrayList;
import java.util.List;

/**
 * What a {@link ClientStream} reads entries from: one per stream, fed every stored event in order (the file's format
 * description first); {@link dev.binlogrelay.server.canal.entry.EntryStream#encoded} in the relay.
 */
@FunctionalInterface
interface EntrySource {
    List<EncodedEntry> accept(String file, long position, byte[] event);

    /** Entries made as {@code CanalEntry.Entry} objects (tests' sources), serialized. */
    interface Entries {
        List<CanalEntry.Entry> accept(String file, long position, byte[] event);
    }

    static EntrySource of(Entries entries) {
        return (file, position, event) -> {
            List<EncodedEntry> out = new ArrayList<>();
            for (CanalEntry.Entry e : entries.accept(file, position, event)) {
                out.add(EncodedEntry.of(e));
            }
            return out;
        };
    }
}
