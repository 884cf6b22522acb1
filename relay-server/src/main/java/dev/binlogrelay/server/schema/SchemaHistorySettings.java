package dev.binlogrelay.server.schema;

/**
 * {@code schema_history} (docs/schema-history.md): whether the relay keeps a schema history, and how much its
 * snapshot of the primary's table definitions may take.
 *
 * @param enabled   keep the history (snapshot at the start, DDL of the stored binlog); off: trackers start empty
 *                  and learn only from the DDL their reader passes
 * @param maxTables tables in the snapshot at most (the rest is left out, logged)
 * @param maxBytes  bytes of {@code SHOW CREATE TABLE} text in the snapshot at most
 */
public record SchemaHistorySettings(boolean enabled, int maxTables, long maxBytes) {
    public static final int DEFAULT_MAX_TABLES = 10_000;
    public static final long DEFAULT_MAX_BYTES = 64L << 20;
    /** The default: off (the Canal front end turns it on). */
    public static final SchemaHistorySettings DEFAULT = new SchemaHistorySettings(false, DEFAULT_MAX_TABLES,
            DEFAULT_MAX_BYTES);

    public SchemaHistorySettings {
        if (maxTables < 1) {
            throw new IllegalArgumentException("schema_history.max_tables must be at least 1, not " + maxTables);
        }
        if (maxBytes < 1024) {
            throw new IllegalArgumentException("schema_history.max_bytes must be at least 1 KiB, not " + maxBytes);
        }
    }

    /** These settings, on. */
    public SchemaHistorySettings on() {
        return new SchemaHistorySettings(true, maxTables, maxBytes);
    }
}
