package dev.binlogrelay.server.it;

import dev.binlogrelay.server.Relay;
import dev.binlogrelay.testkit.MariaDbServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12: {@code @@gtid_binlog_state} through the relay is the primary's whole state, every server_id of every
 * domain, also when several servers wrote to one domain (a session's {@code server_id}, as after a failover) and
 * across a new binlog file, whose GTID_LIST carries the state.
 */
class GtidBinlogStateIT {
    @TempDir
    Path tmp;

    private static String relayAnswer(Relay relay, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + relay.port() + "/?user="
                + RelayHarness.USER + "&password=" + RelayHarness.PASSWORD + "&connectTimeout=5000&socketTimeout=30000");
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getString(1);
        }
    }

    private static Set<String> gtids(String state) {
        return new TreeSet<>(Set.of(state.split(",")));
    }

    @Test
    void theWholeStateOfEveryServerOfEveryDomain() throws Exception {
        MariaDbServer primary = MariaDbServer.builder().name("primary").serverId(41).start();
        Relay relay = null;
        try {
            relay = Relay.start(RelayHarness.config(primary, tmp.resolve("relay"), 9071, "earliest"));
            primary.execute("CREATE DATABASE s", "CREATE TABLE s.t (id INT PRIMARY KEY)", "INSERT INTO s.t VALUES (1)");
            primary.execute("SET SESSION server_id = 77", "INSERT INTO s.t VALUES (2)", "INSERT INTO s.t VALUES (3)");
            primary.execute("SET SESSION server_id = 78", "INSERT INTO s.t VALUES (4)");
            primary.execute("SET SESSION gtid_domain_id = 2", "SET SESSION server_id = 79", "INSERT INTO s.t VALUES (5)");
            primary.execute("INSERT INTO s.t VALUES (6)"); // a new connection: domain 0, whose last writer is 41 again
            RelayHarness.awaitCaughtUp(relay, primary, Duration.ofSeconds(60));
            String expected = primary.queryString("SELECT @@gtid_binlog_state");
            assertEquals(4, gtids(expected).size(), expected); // 0-77, 0-78, 0-41 and 2-79
            assertEquals(gtids(expected), gtids(relayAnswer(relay, "SELECT @@gtid_binlog_state")));
            assertEquals(primary.gtidBinlogPos(), relayAnswer(relay, "SELECT @@gtid_binlog_pos"));

            primary.execute("FLUSH BINARY LOGS"); // the new file begins with the state in its GTID_LIST
            primary.execute("SET SESSION server_id = 80", "INSERT INTO s.t VALUES (7)");
            RelayHarness.awaitCaughtUp(relay, primary, Duration.ofSeconds(60));
            expected = primary.queryString("SELECT @@gtid_binlog_state");
            assertEquals(5, gtids(expected).size(), expected);
            assertEquals(gtids(expected), gtids(relayAnswer(relay, "SELECT @@global.gtid_binlog_state")));
            System.out.println("gtid_binlog_state: primary " + expected + ", relay " + relayAnswer(relay, "SELECT @@gtid_binlog_state"));
        } finally {
            RelayHarness.closeAll(relay, primary);
        }
    }
}
