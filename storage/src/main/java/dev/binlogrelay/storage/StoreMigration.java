package dev.binlogrelay.storage;

import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Brings a store written by an earlier layout up to {@link Values#FORMAT_VERSION} when it opens, in one fsynced
 * batch (a crash leaves either the old layout or the new one), and refuses a later layout.
 *
 * <p>Layout 1 to 2: a file's format description moves from meta {@code "fde." + file name} (base64) to the files
 * column family next to the file's record ({@link Keys#format}), so a purge deletes it in its own batch; entries
 * of files the store no longer holds (left by a purge whose second write never happened) are dropped. The store
 * gets its id ({@link Values#META_STORE_ID}).
 *
 * <p>Layout 2 to 3: layout 3 stores events in {@link Chunk}s and reads a one-event value of layout 2 as a chunk of
 * one, so nothing is rewritten: only the version changes, and an older relay then refuses the store (it could
 * not read the chunks written next). Migration in place with nothing to half-do: a kill leaves version 2 (read
 * as before) or version 3.
 *
 * <p>Layout 2 or 3 to 4: layout 4 writes a chunk's bytes to {@link EventFiles} and only its index to RocksDB, and
 * reads the values of layouts 2 and 3 as they are; again only the version changes.
 */
final class StoreMigration {
    private static final Logger log = LoggerFactory.getLogger(StoreMigration.class);

    private final RocksHandles rocks;

    StoreMigration(RocksHandles rocks) {
        this.rocks = rocks;
    }

    void migrate() {
        String format = StoreState.readMeta(rocks, Values.META_FORMAT);
        if (Values.FORMAT_VERSION.equals(format)) {
            return;
        }
        if (format != null && !format.equals(Values.FORMAT_VERSION_1) && !format.equals(Values.FORMAT_VERSION_2)
                && !format.equals(Values.FORMAT_VERSION_3)) {
            throw new StoreException("store " + rocks.dir + ": layout version " + format + ", this relay reads version "
                    + Values.FORMAT_VERSION);
        }
        try (WriteBatch batch = new WriteBatch()) {
            int moved = 0;
            int dropped = 0;
            if (Values.FORMAT_VERSION_1.equals(format)) {
                Map<String, Long> files = fileSequences();
                byte[] prefix = Values.utf8(StoreState.LEGACY_FDE_PREFIX);
                try (RocksIterator it = rocks.db.newIterator(rocks.meta, rocks.tuning.point)) {
                    for (it.seek(prefix); it.isValid() && startsWith(it.key(), prefix); it.next()) {
                        String file = Values.utf8(it.key()).substring(prefix.length);
                        Long seq = files.get(file);
                        if (seq != null) {
                            batch.put(rocks.files, Keys.format(seq), decode(file, it.value()));
                            moved++;
                        } else {
                            dropped++;
                        }
                        batch.delete(rocks.meta, it.key());
                    }
                    it.status();
                }
            }
            if (StoreState.readMeta(rocks, Values.META_STORE_ID) == null) {
                batch.put(rocks.meta, Values.utf8(Values.META_STORE_ID), Values.utf8(UUID.randomUUID().toString()));
            }
            batch.put(rocks.meta, Values.utf8(Values.META_FORMAT), Values.utf8(Values.FORMAT_VERSION));
            rocks.db.write(rocks.tuning.syncedWrite, batch);
            if (Values.FORMAT_VERSION_2.equals(format) || Values.FORMAT_VERSION_3.equals(format)) {
                log.info("store {}: layout version {} relabelled {}: its events are read as they are, new events' bytes"
                        + " go to {}; nothing was rewritten", rocks.dir, format, Values.FORMAT_VERSION, EventFiles.dirOf(rocks.dir));
            } else if (format != null) {
                log.info("store {}: layout version {} migrated to {}: {} format descriptions moved to their files' records,"
                        + " {} of files no longer held dropped", rocks.dir, format, Values.FORMAT_VERSION, moved, dropped);
            }
        } catch (RocksDBException e) {
            throw rocks.failure("migrate the layout from version " + format + " to " + Values.FORMAT_VERSION, e);
        }
    }

    private Map<String, Long> fileSequences() throws RocksDBException {
        Map<String, Long> files = new HashMap<>();
        try (RocksIterator it = rocks.db.newIterator(rocks.files, rocks.tuning.point)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                if (!Keys.isFormat(it.key())) {
                    long seq = Keys.fileSeq(it.key());
                    files.put(Values.file(seq, it.value()).name(), seq);
                }
            }
            it.status();
        }
        return files;
    }

    private byte[] decode(String file, byte[] base64) {
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new StoreException("store " + rocks.dir + ": the format description of " + file + " (meta "
                    + StoreState.LEGACY_FDE_PREFIX + file + ") is not base64: " + e.getMessage(), e);
        }
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        if (key.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (key[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
