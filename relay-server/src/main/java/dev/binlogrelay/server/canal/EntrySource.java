package dev.binlogrelay.server.canal;

import com.alibaba.otter.canal.protocol.CanalEntry;
import dev.binlogrelay.server.canal.entry.Deferred;
import dev.binlogrelay.server.canal.entry.EncodedEntry;
import dev.binlogrelay.server.canal.entry.EntryStream;

import java.util.ArrayList;
import java.util.List;

/**
 * What a {@link ClientStream} reads entries from: one per stream, fed every stored event in order (the file's format
 * description first); {@link dev.binlogrelay.server.canal.entry.EntryStream#encoded} in the relay.
 */
@FunctionalInterface
interface EntrySource {
    List<EncodedEntry> accept(String file, long position, byte[] event);

    /** As {@link #accept}, with what can be made on another thread left to the returned Deferred. */
    default Deferred later(String file, long position, byte[] event) {
        return Deferred.done(accept(file, position, event));
    }

    /** The relay's: {@code stream}'s entries, a rows event's finished on a worker. */
    static EntrySource of(EntryStream stream) {
        return new EntrySource() {
            @Override
            public List<EncodedEntry> accept(String file, long position, byte[] event) {
                return stream.encoded(file, position, event);
            }

            @Override
            public Deferred later(String file, long position, byte[] event) {
                return stream.encodedLater(file, position, event);
            }
        };
    }

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
