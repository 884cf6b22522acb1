package dev.binlogrelay.server.it;

import dev.binlogrelay.server.Relay;
import dev.binlogrelay.testkit.MariaDbServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Issue 12, point 1: the relay learns the primary's global variables at login, answers them as the primary does
 * (except the ones it owns), and still does after a restart with the primary down.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class UpstreamVariablesIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final List<String> ASKED = List.of("@@global.max_allowed_packet", "@@global.gtid_strict_mode",
            "@@global.character_set_server", "@@global.collation_server", "@@global.binlog_row_metadata",
            "@@global.binlog_annotate_row_events", "@@global.character_set_database", "@@global.sql_mode");

    @TempDir
    Path tmp;

    @Test
    void theRelayAnswersThePrimarysVariablesAlsoWithThePrimaryDown() throws Exception {
        MariaDbServer primary = MariaDbServer.builder().name("vars-primary").serverId(1).start();
        Relay relay = null;
        try {
            primary.execute("SET GLOBAL max_allowed_packet = 33554432", "SET GLOBAL gtid_strict_mode = ON",
                    "SET GLOBAL binlog_row_metadata = FULL", "SET GLOBAL character_set_server = 'latin2'",
                    "SET GLOBAL collation_server = 'latin2_general_ci'");
            List<String> expected = primary.query("SELECT " + String.join(", ", ASKED)).get(0);
            assertEquals("latin2", expected.get(2), "the primary's own, changed from its default");
            relay = Relay.start(RelayHarness.config(primary, tmp.resolve("data"), 9001, "current"));
            RelayHarness.awaitStreaming(relay, WAIT);
            assertEquals(expected, select(relay, "SELECT " + String.join(", ", ASKED)));
            assertEquals("9001", select(relay, "SELECT @@server_id").get(0), "the relay's own");
            assertNotEquals(primary.queryString("SELECT @@global.read_only"), select(relay, "SELECT @@global.read_only").get(0));
            relay.close();
            relay = null;

            primary.stop();
            relay = Relay.start(RelayHarness.config(primary, tmp.resolve("data"), 9001, "current"));
            assertEquals(expected, select(relay, "SELECT " + String.join(", ", ASKED)), "kept in the store");
        } finally {
            RelayHarness.closeAll(relay, primary);
        }
    }

    private static List<String> select(Relay relay, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + relay.port()
                + "/?user=repl&password=secret&connectTimeout=5000&socketTimeout=10000");
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            List<String> row = new java.util.ArrayList<>();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                row.add(rs.getString(i));
            }
            return row;
        }
    }
}
