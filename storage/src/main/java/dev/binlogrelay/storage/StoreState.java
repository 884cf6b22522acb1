package dev.binlogrelay.storage;

import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.gtid.MariaGtidPosition;
import dev.binlogrelay.core.gtid.MysqlGtidSet;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the store remembers besides the binlog itself, with typed getters and setters: what the upstream
 * primary said about itself, what the store was filled from (its origin), the GTID state after the last stored
 * group (MariaDB position, MySQL executed set), the checksum algorithm, and each file's format description.
 * It is the only place that knows how these are kept on disk; no other package knows a metadata key.
 *
 * <pre>
 * item                                  where                                     written
 * upstream server info (the info        meta "upstream." + column                 at each upstream login
 *   query's columns: server_id, version,
 *   gtid_domain_id, server_uuid, gtid_mode)
 * the upstream's global variables       meta "upstream.variables" (name=value      at login, when they changed
 *   (SHOW GLOBAL VARIABLES)               lines, \\ \n \= escaped)
 * checksum algorithm                    meta "upstream.checksum"                  with a format description
 * MariaDB GTID position                 meta "upstream.gtid_pos"                  in every group's batch
 * MariaDB position before the first     meta "upstream.start_gtid_pos"            in the first GTID group's batch
 *   stored GTID group
 * MySQL executed GTID set               meta "upstream.gtid_executed"             in a group's batch when it changes
 * origin (address, start, server_id,    meta "origin.upstream", "origin.start",   at start-up and login
 *   server_uuid)                          "origin.server_id", "origin.server_uuid"
 * a file's format description           files CF, key file_seq (4) | 0x01        with the file's first group;
 *                                         (next to the file's record)              deleted with the file's record
 * the store's identity                  meta "store.id"                           when the store is created
 * </pre>
 * Stores of layout version 1 kept format descriptions as meta "fde." + file name (base64); they are moved next
 * to the file records when the store opens ({@link StoreMigration}).
 *
 * <p><b>Visibility.</b> Items written in a group's batch ({@link StateUpdate}) are answered as of the groups
 * readers can see: with a sync interval, a written but not yet durable batch does not change what this returns.
 * Setters here write outside groups: one atomic, fsynced batch per call. Any thread.
 */
public final class StoreState implements StoreStateView {
    static final String UPSTREAM_PREFIX = "upstream.";
    static final String GTID_POS = "upstream.gtid_pos";
    static final String START_GTID_POS = "upstream.start_gtid_pos";
    static final String GTID_EXECUTED = "upstream.gtid_executed";
    static final String CHECKSUM = "upstream.checksum";
    static final String SERVER_VERSION = "upstream.version";
    static final String SERVER_ID = "upstream.server_id";
    static final String DOMAIN_ID = "upstream.gtid_domain_id";
    static final String SERVER_UUID = "upstream.server_uuid";
    static final String GTID_MODE = "upstream.gtid_mode";
    static final String VARIABLES = "upstream.variables";
    static final String ORIGIN_UPSTREAM = "origin.upstream";
    static final String ORIGIN_START = "origin.start";
    static final String ORIGIN_SERVER_ID = "origin.server_id";
    static final String ORIGIN_SERVER_UUID = "origin.server_uuid";
    static final String RELAY_FILES_AFTER = "origin.relay_files_after";
    /** Layout version 1: meta key prefix of a file's format description (base64), by file name. */
    static final String LEGACY_FDE_PREFIX = "fde.";

    private final StoreContext ctx;

    StoreState(StoreContext ctx) {
        this.ctx = ctx;
    }

    // ------------------------------------------------------------------ the store

    /** A random id given to the store when it was created; a store deleted and made again has a new one. */
    @Override
    public String storeId() {
        return meta(Values.META_STORE_ID).orElseThrow(() -> new StoreException("store " + ctx.dir() + " has no id"));
    }

    // ------------------------------------------------------------------ the upstream server

    /**
     * Records what the upstream's server-info query returned, by column name ({@code server_id}, {@code version},
     * {@code gtid_domain_id}, {@code server_uuid}, {@code gtid_mode}); columns not given keep their value.
     */
    public void recordUpstreamServer(Map<String, String> columns) {
        Map<String, String> entries = new HashMap<>();
        columns.forEach((k, v) -> entries.put(UPSTREAM_PREFIX + k, v));
        write(entries, List.of());
    }

    /** The upstream's (or an imported file's) server version. */
    @Override
    public Optional<String> serverVersion() {
        return meta(SERVER_VERSION);
    }

    /** The upstream's @@server_id (or an imported file's writer's). */
    @Override
    public Optional<String> serverId() {
        return meta(SERVER_ID);
    }

    /** The upstream's @@gtid_domain_id (MariaDB). */
    @Override
    public Optional<Long> gtidDomainId() {
        return meta(DOMAIN_ID).map(Long::parseLong);
    }

    /** The upstream's @@server_uuid (MySQL). */
    @Override
    public Optional<String> serverUuid() {
        return meta(SERVER_UUID);
    }

    /** The upstream's @@gtid_mode (MySQL). */
    @Override
    public Optional<String> gtidMode() {
        return meta(GTID_MODE);
    }

    /** True if the upstream's @@gtid_mode is ON (or ON_PERMISSIVE): it can be resumed by GTID. */
    @Override
    public boolean gtidModeOn() {
        return gtidMode().orElse("").toUpperCase(Locale.ROOT).startsWith("ON");
    }

    /**
     * The upstream's global variables as its {@code SHOW GLOBAL VARIABLES} last listed them at a login, by name in
     * the upstream's order; empty if never learned (an imported store, or an upstream that refused the query).
     */
    @Override
    public Map<String, String> upstreamVariables() {
        String text = meta(VARIABLES).orElse(null);
        if (text == null) {
            return Map.of();
        }
        Decoded last = decodedVariables;
        if (last == null || !last.text().equals(text)) {
            last = new Decoded(text, VariablesText.decode(text));
            decodedVariables = last; // SQL answers read them often: decode once per change
        }
        return last.variables();
    }

    private record Decoded(String text, Map<String, String> variables) {
    }

    private volatile Decoded decodedVariables;

    /**
     * Records the upstream's global variables (names and values as its SHOW GLOBAL VARIABLES gives them), replacing
     * the ones recorded before. Writes (one fsynced batch) only when they differ from what is recorded.
     *
     * @return true if they changed and were written
     */
    public boolean recordUpstreamVariables(Map<String, String> variables) {
        Objects.requireNonNull(variables, "variables");
        String encoded = VariablesText.encode(variables);
        if (meta(VARIABLES).map(encoded::equals).orElse(false)) {
            return false;
        }
        write(Map.of(VARIABLES, encoded), List.of());
        return true;
    }

    /** The name of the binlog's checksum algorithm ({@link ChecksumAlgorithm}), as the last format description said. */
    @Override
    public Optional<String> checksum() {
        return meta(CHECKSUM);
    }

    // ------------------------------------------------------------------ GTID state

    /** The MariaDB GTID position after the last stored group; empty without MariaDB GTIDs. */
    @Override
    public MariaGtidPosition mariaGtidPosition() {
        return meta(GTID_POS).map(MariaGtidPosition::parse).orElse(MariaGtidPosition.EMPTY);
    }

    /** The MariaDB GTID position just before the first GTID group the store holds; empty if it holds none. */
    @Override
    public Optional<MariaGtidPosition> mariaStartPosition() {
        return meta(START_GTID_POS).map(MariaGtidPosition::parse);
    }

    /**
     * The MySQL GTID set executed up to the last stored group (the first file's PREVIOUS_GTIDS, or the GTID set
     * the relay started from, plus every stored GTID); empty without MySQL GTIDs.
     */
    @Override
    public MysqlGtidSet mysqlExecuted() {
        return mysqlExecutedRecorded().orElse(MysqlGtidSet.EMPTY);
    }

    /** The MySQL executed GTID set if one was recorded. */
    @Override
    public Optional<MysqlGtidSet> mysqlExecutedRecorded() {
        Optional<String> text = meta(GTID_EXECUTED);
        try {
            return text.map(MysqlGtidSet::parse);
        } catch (IllegalArgumentException e) {
            throw new StoreException("store " + ctx.dir() + ": the MySQL executed GTID set is corrupt: " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ format descriptions

    /**
     * The format description event of a held file; empty if the file is not held or none was stored for it.
     * Read straight from the files column family, which gets a group's batch at its sync (with the {@link WalSyncer})
     * just before the group is published: a format description written with a group of an already published file
     * can be seen a moment before that group. That is harmless because a file has one format description (a
     * re-sent one has the same content); a new file's is seen only once the file is published.
     */
    @Override
    public Optional<byte[]> formatDescription(String file) {
        Objects.requireNonNull(file, "file");
        return ctx.underReadLock(() -> {
            BinlogFileInfo f = ctx.table().byName(file);
            if (f == null) {
                return Optional.empty();
            }
            try {
                return Optional.ofNullable(ctx.rocks().db.get(ctx.rocks().files, ctx.rocks().tuning.point, Keys.format(f.sequence())));
            } catch (RocksDBException e) {
                throw ctx.rocks().failure("read the format description of " + file, e);
            }
        });
    }

    /**
     * Records the format description of a held file (re-sent by the upstream when a dump starts inside it) and
     * the checksum algorithm it names, in one fsynced batch.
     *
     * @throws StoreException if the store does not hold {@code file}
     */
    public void recordFormatDescription(String file, byte[] event, ChecksumAlgorithm checksum) {
        Objects.requireNonNull(event, "event");
        syncQueued();
        ctx.underReadLock(() -> {
            BinlogFileInfo f = ctx.table().byName(file);
            if (f == null) {
                throw new StoreException("store " + ctx.dir() + ": cannot record the format description of " + file
                        + ", which the store does not hold");
            }
            RocksHandles rocks = ctx.rocks();
            try (WriteBatch batch = new WriteBatch()) {
                batch.put(rocks.files, Keys.format(f.sequence()), event);
                batch.put(rocks.meta, Values.utf8(CHECKSUM), Values.utf8(checksum.name()));
                rocks.db.write(rocks.tuning.syncedWrite, batch);
                metaWritten(List.of(CHECKSUM));
                return null;
            } catch (RocksDBException e) {
                throw rocks.failure("write the format description of " + file, e);
            }
        });
    }

    /** Records the checksum algorithm alone (a format description arrived for a file the store does not hold yet). */
    public void recordChecksum(ChecksumAlgorithm checksum) {
        write(Map.of(CHECKSUM, checksum.name()), List.of());
    }

    // ------------------------------------------------------------------ origin

    /** What the store was filled from; each part empty if not recorded. */
    public record Origin(Optional<String> upstream, Optional<String> start, Optional<String> serverId,
                         Optional<String> serverUuid) {
    }

    @Override
    public Origin origin() {
        return new Origin(meta(ORIGIN_UPSTREAM), meta(ORIGIN_START), meta(ORIGIN_SERVER_ID), meta(ORIGIN_SERVER_UUID));
    }

    /** Records the upstream address and start the store is filled from; {@code forgetServer} drops the recorded identity. */
    public void recordOrigin(String upstream, String start, boolean forgetServer) {
        write(Map.of(ORIGIN_UPSTREAM, upstream, ORIGIN_START, start),
                forgetServer ? List.of(ORIGIN_SERVER_ID, ORIGIN_SERVER_UUID) : List.of());
    }

    /** Records the identity of the primary the store is filled from; a null or blank uuid removes the recorded one. */
    public void recordOriginServer(String serverId, String serverUuid) {
        boolean uuid = serverUuid != null && !serverUuid.isBlank();
        Map<String, String> entries = new HashMap<>();
        entries.put(ORIGIN_SERVER_ID, serverId);
        if (uuid) {
            entries.put(ORIGIN_SERVER_UUID, serverUuid.toLowerCase(Locale.ROOT));
        }
        write(entries, uuid ? List.of() : List.of(ORIGIN_SERVER_UUID));
    }

    /**
     * The file after which the store's files are the relay's own (named and positioned by the relay, since it
     * followed a failover), if it did; from then on the relay resumes by GTID and never by file and position.
     */
    public Optional<String> relayFilesAfter() {
        return meta(RELAY_FILES_AFTER);
    }

    /** Records that the files after {@code file} are the relay's own (see {@link #relayFilesAfter()}); kept once set. */
    public void recordRelayFilesAfter(String file) {
        if (relayFilesAfter().isEmpty()) {
            write(Map.of(RELAY_FILES_AFTER, file), List.of());
        }
    }

    // ------------------------------------------------------------------ raw metadata, for this package

    /** The visible value of a metadata key (see the class comment on visibility). */
    Optional<String> meta(String key) {
        Objects.requireNonNull(key, "key");
        WalSyncer syncer = ctx.syncer();
        Optional<String> published = syncer == null ? null : syncer.visibleMeta(key);
        if (published != null) {
            return published; // a written, not yet durable batch changes it: answer what readers may see
        }
        return ctx.underReadLock(() -> Optional.ofNullable(readMeta(ctx.rocks(), key)));
    }

    static String readMeta(RocksHandles rocks, String key) {
        try {
            byte[] v = rocks.db.get(rocks.meta, rocks.tuning.point, Values.utf8(key));
            return v == null ? null : Values.utf8(v);
        } catch (RocksDBException e) {
            throw rocks.failure("read meta " + key, e);
        }
    }

    /** Puts and removes metadata entries in one atomic, fsynced batch. Keys under "store." are reserved. */
    void write(Map<String, String> entries, Collection<String> removed) {
        entries.forEach((k, v) -> checkMetaEntry(ctx.dir(), k, v));
        removed.forEach(k -> checkMetaEntry(ctx.dir(), k, ""));
        syncQueued();
        ctx.underReadLock(() -> {
            RocksHandles rocks = ctx.rocks();
            try (WriteBatch batch = new WriteBatch()) {
                for (Map.Entry<String, String> m : entries.entrySet()) {
                    batch.put(rocks.meta, Values.utf8(m.getKey()), Values.utf8(m.getValue()));
                }
                for (String k : removed) {
                    batch.delete(rocks.meta, Values.utf8(k));
                }
                rocks.db.write(rocks.tuning.syncedWrite, batch);
                List<String> keys = new ArrayList<>(entries.keySet());
                keys.addAll(removed);
                metaWritten(keys);
                return null;
            } catch (RocksDBException e) {
                throw rocks.failure("write meta " + entries.keySet() + (removed.isEmpty() ? "" : ", remove " + removed), e);
            }
        });
    }

    /**
     * Before a write outside groups: the groups queued for the syncer first (synced and published), so that their
     * batches, which RocksDB gets only at the sync, cannot overwrite this newer value of a key.
     */
    private void syncQueued() {
        WalSyncer syncer = ctx.syncer();
        if (syncer != null) {
            syncer.syncNow();
        }
    }

    private void metaWritten(Collection<String> keys) {
        WalSyncer syncer = ctx.syncer();
        if (syncer != null) {
            syncer.metaWritten(keys);
        }
    }

    static void checkMetaEntry(java.nio.file.Path dir, String key, String value) {
        if (key == null || key.isEmpty() || value == null) {
            throw new StoreException("store " + dir + ": meta entries need a key and a value, got " + key + "=" + value);
        }
        if (key.startsWith(Values.RESERVED_META_PREFIX)) {
            throw new StoreException("store " + dir + ": meta key " + key + " is reserved for the store");
        }
    }
}
