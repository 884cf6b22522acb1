package dev.binlogrelay.server.it;

import dev.binlogrelay.testkit.MariaDbLine;

/** {@link SchemaHistoryMariaDbIT} with a MariaDB 11.4 primary (utf8mb4 and UCA 14.0 collations by default, 11.x binlogs). */
class SchemaHistoryMariaDb114IT extends SchemaHistoryMariaDbIT {
    @Override
    MariaDbLine line() {
        return MariaDbLine.MARIADB_11_4;
    }
}
