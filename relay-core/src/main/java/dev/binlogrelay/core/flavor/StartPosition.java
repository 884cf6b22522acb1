package dev.binlogrelay.core.flavor;

import dev.binlogrelay.core.gtid.MariaGtidPosition;
import dev.binlogrelay.core.gtid.MysqlGtidSet;

import java.util.regex.Pattern;

/**
 * Where a replica's stream starts on its primary: the first binlog the primary holds, its current end, a file
 * and position, or a GTID state of one flavor. {@link #parse} reads the text form ({@code upstream.start});
 * {@link Flavor#parseGtidStart} reads the GTID form of one flavor and refuses the other's. Code that must treat the
 * flavors differently switches on the variant, never on the text.
 */
public sealed interface StartPosition {
    /** A MySQL GTID set starts with a server UUID and a colon. */
    Pattern MYSQL_GTID_SET = Pattern.compile(
            "^\\s*[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}\\s*:");

    /** The oldest binlog the primary holds, from position 4. */
    record Earliest() implements StartPosition {
    }

    /** The primary's current end (what SHOW MASTER STATUS shows when the relay connects). */
    record Current() implements StartPosition {
    }

    /** A file and position, {@code mariadb-bin.000002:1234}. */
    record FilePosition(String file, long position) implements StartPosition {
    }

    /** A GTID start: the flavor of the primary decides whether it can use it ({@link Flavor#parseGtidStart}). */
    sealed interface GtidStart extends StartPosition {
        /** The canonical text form, as the flavor's dump command and setup statements take it. */
        String text();
    }

    /** A MariaDB GTID position, {@code 0-1-100[,1-2-7...]}. */
    record MariaGtids(MariaGtidPosition position) implements GtidStart {
        @Override
        public String text() {
            return position.toString();
        }
    }

    /** A MySQL GTID set, {@code 3e11fa47-71ca-11e1-9e33-c80aa9429562:1-100[:tag:1-5][,...]}. */
    record MysqlGtids(MysqlGtidSet set) implements GtidStart {
        @Override
        public String text() {
            return set.toString();
        }
    }

    /**
     * {@code earliest}, {@code current} (either case), {@code FILE:POSITION}, a MySQL GTID set (it starts with a
     * UUID and a colon, which tells it from a file position) or a MariaDB GTID position.
     *
     * @throws IllegalArgumentException naming the text and what it is not
     */
    static StartPosition parse(String text) {
        String t = text.trim();
        if (t.equalsIgnoreCase("earliest")) {
            return new Earliest();
        }
        if (t.equalsIgnoreCase("current")) {
            return new Current();
        }
        if (MYSQL_GTID_SET.matcher(t).find()) {
            try {
                return new MysqlGtids(MysqlGtidSet.parse(t));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + text + "' is not a MySQL GTID set: " + e.getMessage());
            }
        }
        int colon = t.lastIndexOf(':');
        if (colon > 0) {
            String pos = t.substring(colon + 1);
            try {
                long p = Long.parseLong(pos);
                if (p < 4) {
                    throw new IllegalArgumentException("binlog position must be 4 or more in '" + text + "'");
                }
                return new FilePosition(t.substring(0, colon), p);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' is not FILE:POSITION");
            }
        }
        try {
            return new MariaGtids(MariaGtidPosition.parse(t));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not earliest, current, FILE:POSITION, a MariaDB GTID position"
                    + " or a MySQL GTID set");
        }
    }
}
