package dev.binlogrelay.server.upstream;

import dev.binlogrelay.core.protocol.TextResultSet;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether a candidate of {@code upstream.hosts} is the primary: writable ({@code read_only} and, where the server
 * has it, {@code super_read_only} off) and not itself replicating (no channel of its replication status with a
 * running I/O or SQL thread). The queries are answered before the relay dumps anything; a candidate that is not the
 * primary is left ({@link NotPrimaryException}) and the next one tried.
 */
final class PrimaryCheck {
    /** Works on MariaDB (which has no super_read_only before 11.x) and MySQL alike: absent variables are no rows. */
    static final String VARIABLES_QUERY =
            "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('read_only', 'super_read_only', 'version_comment')";
    /** The {@code version_comment} of a binlog-relay, which is read-only by nature (it takes no writes, only binlogs). */
    static final String RELAY_VERSION_COMMENT = "binlog-relay";
    /** Rows and bytes of the replication status kept (a multi-source replica has a row per channel). */
    static final int MAX_STATUS_ROWS = 256;
    static final long MAX_STATUS_BYTES = 4L << 20;

    private PrimaryCheck() {
    }

    /**
     * Why the server is read-only ("read_only is ON"), or empty if it is writable. Another binlog-relay (its
     * {@code version_comment}) always says read_only ON: for its readers it is the primary when it does not replicate
     * itself (an import-only relay, or one whose ingestion is stopped), which {@link #replicating} decides.
     */
    static Optional<String> readOnly(TextResultSet variables) {
        List<String> on = new ArrayList<>();
        for (List<String> row : variables.rows()) {
            if (row.size() < 2 || row.get(0) == null) {
                continue;
            }
            if (row.get(0).equalsIgnoreCase("version_comment")) {
                if (RELAY_VERSION_COMMENT.equals(row.get(1))) {
                    return Optional.empty();
                }
                continue;
            }
            String value = row.get(1) == null ? "" : row.get(1).trim().toUpperCase(Locale.ROOT);
            if (!value.equals("OFF") && !value.equals("0") && !value.isEmpty()) {
                on.add(row.get(0).toLowerCase(Locale.ROOT) + " is " + row.get(1));
            }
        }
        return on.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", on));
    }

    /**
     * Which channels of the server's replication status run ("replicating from db1:3306 (Slave_IO_Running Yes)"),
     * or empty if none does. A thread counts as running unless its column says No (Connecting and Preparing run).
     */
    static Optional<String> replicating(TextResultSet status) {
        List<String> columns = status.columns();
        List<String> running = new ArrayList<>();
        for (List<String> row : status.rows()) {
            List<String> threads = new ArrayList<>();
            String source = "";
            String sourcePort = "";
            for (int i = 0; i < columns.size() && i < row.size(); i++) {
                String name = columns.get(i);
                String lower = name.toLowerCase(Locale.ROOT);
                String value = row.get(i) == null ? "" : row.get(i).trim();
                if ((lower.endsWith("_io_running") || lower.endsWith("_sql_running")) && !value.isEmpty()
                        && !value.equalsIgnoreCase("No")) {
                    threads.add(name + " " + value);
                } else if (lower.equals("master_host") || lower.equals("source_host")) {
                    source = value;
                } else if (lower.equals("master_port") || lower.equals("source_port")) {
                    sourcePort = value;
                }
            }
            if (!threads.isEmpty()) {
                running.add("replicating from " + (source.isEmpty() ? "?" : source) + (sourcePort.isEmpty() ? "" : ":" + sourcePort)
                        + " (" + String.join(", ", threads) + ")");
            }
        }
        return running.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", running));
    }
}
