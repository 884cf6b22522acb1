package dev.binlogrelay.server.upstream;

import dev.binlogrelay.core.protocol.QueryResponseReader;
import dev.binlogrelay.core.protocol.TextResultSet;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Learning the upstream's global variables at each login ({@code SHOW GLOBAL VARIABLES}), so that the relay
 * answers {@code SHOW VARIABLES} and {@code SELECT @@…} as the upstream does, also after a restart with the
 * upstream down (the store keeps them). What a primary may make the relay hold is bounded: at most
 * {@link #MAX_ROWS} rows whose packets hold at most {@link #MAX_BYTES} bytes together; a longer answer is cut
 * there (the variables past the bound are not learned, and a warning says so). A MariaDB 10.11 answers about 650
 * rows and 40 KiB; MySQL 8.0 about 600 rows.
 */
final class UpstreamVariables {
    static final String QUERY = "SHOW GLOBAL VARIABLES";
    static final int MAX_ROWS = 4096;
    static final long MAX_BYTES = 1024 * 1024;

    private UpstreamVariables() {
    }

    /** A reader for the query's answer, bounded as the class comment says. */
    static QueryResponseReader reader() {
        return new QueryResponseReader(MAX_ROWS, MAX_BYTES);
    }

    /**
     * The variables of a SHOW VARIABLES answer, by lower-case name, in the upstream's order; NULL values as "".
     *
     * @throws UpstreamException if the answer does not have SHOW VARIABLES' two columns
     */
    static Map<String, String> parse(TextResultSet rs) {
        if (rs.columns().size() != 2) {
            throw new UpstreamException("'" + QUERY + "' returned " + rs.columns().size() + " columns " + rs.columns()
                    + ", not Variable_name and Value");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (var row : rs.rows()) {
            String name = row.get(0);
            if (name != null && !name.isEmpty()) {
                out.put(name.toLowerCase(java.util.Locale.ROOT), row.get(1) == null ? "" : row.get(1));
            }
        }
        return out;
    }
}
