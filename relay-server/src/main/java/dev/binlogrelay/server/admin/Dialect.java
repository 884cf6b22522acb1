package dev.binlogrelay.server.admin;

import dev.binlogrelay.core.flavor.Flavor;
import dev.binlogrelay.core.flavor.UnsupportedFlavorException;

import java.util.List;
import java.util.Locale;

/**
 * What differs in the SQL the relay answers between the server families it presents: the statement forms and
 * column sets each accepts, and how its errors name it. Picked from the version the relay presents (the
 * upstream's, or an imported file's), through {@link Flavor#fromVersion}; a version that names neither family is
 * answered as MariaDB, the relay's default. The rest of the SQL layer asks this, never which family it is.
 *
 * @param mariaDb       presenting MariaDB
 * @param versionNumber the presented version as major * 10000 + minor * 100 + patch (100511 for 10.5.11)
 */
record Dialect(boolean mariaDb, long versionNumber) {
    /** The dialect of a presented version string. */
    static Dialect of(String version) {
        boolean maria;
        try {
            maria = Flavor.fromVersion(version).name().toLowerCase(Locale.ROOT).contains("maria");
        } catch (UnsupportedFlavorException e) {
            maria = true;
        }
        return new Dialect(maria, SqlLexer.versionNumber(version));
    }

    /** How the server names itself in the syntax error text ("... corresponds to your MariaDB server version ..."). */
    String serverName() {
        return mariaDb ? "MariaDB" : "MySQL";
    }

    /** The columns of SHOW MASTER STATUS: MySQL adds Executed_Gtid_Set (5.6 and later). */
    List<String> masterStatusColumns() {
        return mariaDb || versionNumber < 50600 ? List.of("File", "Position", "Binlog_Do_DB", "Binlog_Ignore_DB")
                : List.of("File", "Position", "Binlog_Do_DB", "Binlog_Ignore_DB", "Executed_Gtid_Set");
    }

    /** {@code SHOW BINARY LOG STATUS}: MySQL 8.2 and later. */
    boolean hasBinaryLogStatus() {
        return !mariaDb && versionNumber >= 80200;
    }

    /** {@code SHOW MASTER STATUS}: everywhere but MySQL 8.4 and later, which removed it. */
    boolean hasMasterStatus() {
        return mariaDb || versionNumber < 80400;
    }

    /** {@code SHOW BINLOG STATUS}: MariaDB 10.5.2 and later. */
    boolean hasBinlogStatus() {
        return mariaDb && versionNumber >= 100502;
    }

    /** {@code SHOW REPLICAS}: MySQL 8.0.22 and later (MariaDB has SHOW REPLICA HOSTS only). */
    boolean hasShowReplicas() {
        return !mariaDb && versionNumber >= 80022;
    }

    /** {@code BINLOG_GTID_POS(file, pos)}: MariaDB. */
    boolean hasBinlogGtidPos() {
        return mariaDb;
    }
}
