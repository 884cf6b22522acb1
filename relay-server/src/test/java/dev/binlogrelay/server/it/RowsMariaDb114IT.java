package dev.binlogrelay.server.it;

import dev.binlogrelay.testkit.MariaDbLine;

/** {@link RowsMariaDbIT} with a MariaDB 11.4 primary (UCA 14.0 collations, 11.x binlogs). */
class RowsMariaDb114IT extends RowsMariaDbIT {
    @Override
    MariaDbLine line() {
        return MariaDbLine.MARIADB_11_4;
    }
}
