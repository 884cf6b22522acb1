package dev.binlogrelay.core.rows;

/**
 * Table definitions along one binlog stream, as of the point the stream has reached: what a TABLE_MAP does not
 * say (column names, primary key, signedness, charsets, ENUM/SET values, old temporal types' fractions) when the
 * primary wrote it without FULL metadata, and what no TABLE_MAP says ({@link Column#declaredType}). A reader of row changes holds one, positioned where it starts, and tells
 * it of every QUERY event it passes (a DDL changes the definitions from that point on).
 *
 * <p>Implementations: {@link #NONE} (TABLE_MAP only) and the relay's schema history.
 */
public interface SchemaTracker {
    /** Knows nothing beyond the TABLE_MAP itself. */
    SchemaTracker NONE = new SchemaTracker() {
        @Override
        public TableMap complete(TableMap map) {
            return map;
        }

        @Override
        public void onQuery(String database, String sql, String file, long endPosition) {
        }
    };

    /**
     * {@code map} with what the definition in force adds to it; what the map carries itself (FULL metadata) wins.
     * The map itself when the table is not known.
     */
    TableMap complete(TableMap map);

    /**
     * The stream passed a QUERY event: its default database (may be empty), its statement text and the position
     * right after it in {@code file}. A DDL statement changes the definitions from there; anything else is ignored.
     */
    void onQuery(String database, String sql, String file, long endPosition);

    /**
     * The stream reaches the event that starts at {@code position} of {@code file} (called for every event, before
     * it is decoded): definitions kept in the history from a point the stream has now reached (a snapshot recorded
     * after the tracker was made) take effect, so every stream at a position has the definitions a tracker made
     * there has. Nothing by default.
     */
    default void reach(String file, long position) {
    }
}
