package dev.binlogrelay.server.it;

import dev.binlogrelay.server.Relay;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12, point 1.3: the relay's OK packets track autocommit and transactions, so that the JDBC drivers' view of
 * the session is right (MariaDB Connector/J reads getAutoCommit() from the server status; Debezium's snapshot
 * refuses to start while it is true).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class AutocommitIT {
    @TempDir
    Path tmp;

    @Test
    void getAutoCommitFollowsTheSessionWithBothConnectors() throws Exception {
        try (Relay relay = Relay.start(RelayHarness.config(null, tmp.resolve("data"), 9001, "earliest"))) {
            for (String scheme : List.of("mariadb", "mysql")) {
                String url = "jdbc:" + scheme + "://127.0.0.1:" + relay.port() + "/?user=repl&password=secret"
                        + "&connectTimeout=5000&socketTimeout=10000";
                try (Connection c = DriverManager.getConnection(url)) {
                    assertTrue(c.getAutoCommit(), scheme);
                    c.setAutoCommit(false);
                    assertFalse(c.getAutoCommit(), scheme);
                    assertEquals("0", scalar(c, "SELECT @@autocommit"), scheme);
                    assertFalse(c.getAutoCommit(), scheme + ": after a query");
                    c.commit();
                    c.rollback();
                    c.setAutoCommit(true);
                    assertTrue(c.getAutoCommit(), scheme);
                    assertEquals("1", scalar(c, "SELECT @@autocommit"), scheme);
                    try (Statement s = c.createStatement()) {
                        s.execute("SET autocommit=0");
                    }
                    if (scheme.equals("mariadb")) {
                        // MariaDB Connector/J takes it from the OK packet's status flags, not from its own calls
                        assertFalse(c.getAutoCommit(), "SET autocommit=0 sent as SQL");
                    }
                }
            }
        }
    }

    private static String scalar(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next());
            return rs.getString(1);
        }
    }
}
