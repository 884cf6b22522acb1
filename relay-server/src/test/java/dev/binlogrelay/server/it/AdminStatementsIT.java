package dev.binlogrelay.server.it;

import dev.binlogrelay.server.Relay;
import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.storage.BinlogPosition;
import dev.binlogrelay.testkit.FaultProxy;
import dev.binlogrelay.testkit.FreePorts;
import dev.binlogrelay.testkit.MariaDbServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static dev.binlogrelay.server.it.AdminClients.ADMIN;
import static dev.binlogrelay.server.it.AdminClients.ADMIN_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 11 §3 and §4 against a live MariaDB primary: each operator statement through the stock {@code mariadb}
 * client and MySQL Connector/J with the expected columns (SHOW SLAVE STATUS's compared with the primary's own), ERR
 * 1227 for a replication user, STOP/START SLAVE across a restart, CHANGE MASTER TO through a proxy and to a dead
 * port, PURGE refused while a reader needs a file, SHOW PROCESSLIST and KILL, /health, /ready, /metrics before and
 * after a workload, and SIGTERM (a relay process exits 0 within a bound, its store reopens where it was).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class AdminStatementsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;
    private MariaDbServer primary;

    @BeforeAll
    void startPrimary() throws Exception {
        AdminClients.mariadbClient();
        primary = MariaDbServer.builder().name("primary").serverId(21).start();
        try {
            RelayHarness.createAppTable(primary);
            StockReplicasIT.workload0(primary, 20);
        } catch (Exception | AssertionError e) {
            primary.close();
            throw e;
        }
    }

    @AfterAll
    void stopPrimary() {
        RelayHarness.closeAll(null, primary);
    }

    private RelayConfig config(String name) {
        RelayConfig c = RelayHarness.config(primary, tmp.resolve(name), 9021, "earliest");
        RelayConfig.User op = new RelayConfig.User();
        op.user = ADMIN;
        op.password = ADMIN_PASSWORD;
        op.role = "admin";
        c.downstream.users = List.of(c.downstream.users.get(0), op);
        c.metrics = new RelayConfig.Metrics();
        c.metrics.listen = "127.0.0.1:0";
        return c;
    }

    private static Connection admin(Relay relay) throws Exception {
        return AdminClients.connectorJ(relay.port(), ADMIN, ADMIN_PASSWORD);
    }

    private static AdminClients.Cli cli(Relay relay, String sql) throws Exception {
        AdminClients.Cli r = AdminClients.mariadb(relay.port(), ADMIN, ADMIN_PASSWORD, sql);
        assertEquals(0, r.exitCode(), () -> sql + ": " + r.output());
        return r;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WAIT + ": " + what);
            }
            Thread.sleep(20);
        }
    }

    private static Map<String, String> slaveStatus(Relay relay) throws Exception {
        try (Connection c = admin(relay)) {
            return AdminClients.query(c, "SHOW SLAVE STATUS").only();
        }
    }

    @Test
    void statusProcessListKillAndMetricsThroughBothClients() throws Exception {
        try (Relay relay = Relay.start(config("status"))) {
            RelayHarness.awaitCaughtUp(relay, primary, WAIT);
            int metricsPort = relay.metrics().port();
            String before = AdminClients.http(metricsPort, "/metrics");
            double eventsBefore = AdminClients.sample(before, "binlog_relay_upstream_events_total");
            assertTrue(eventsBefore > 0, before);
            assertTrue(AdminClients.sample(before, "jvm_threads_current") > 0, "JVM metrics");
            assertEquals("200 ok\n", AdminClients.http(metricsPort, "/health"));
            assertEquals("200 ok\n", AdminClients.http(metricsPort, "/ready"));

            // SHOW SLAVE STATUS: the primary's own column list (it answers none as it replicates from nobody), our values
            List<String> serverColumns;
            try (Connection c = primary.connect()) {
                serverColumns = AdminClients.query(c, "SHOW SLAVE STATUS").columns();
            }
            BinlogPosition at = RelayHarness.masterStatus(primary);
            try (Connection c = admin(relay)) {
                for (String statement : List.of("SHOW SLAVE STATUS", "SHOW REPLICA STATUS")) {
                    AdminClients.Rows rs = AdminClients.query(c, statement);
                    assertEquals(serverColumns, rs.columns(), statement);
                    Map<String, String> row = rs.only();
                    assertEquals(primary.host(), row.get("Master_Host"));
                    assertEquals(Integer.toString(primary.port()), row.get("Master_Port"));
                    assertEquals("Yes", row.get("Slave_IO_Running"));
                    assertEquals(at.file(), row.get("Master_Log_File"));
                    assertEquals(Long.toString(at.position()), row.get("Read_Master_Log_Pos"));
                    assertEquals(primary.gtidBinlogPos(), row.get("Gtid_IO_Pos"));
                    assertEquals("0", row.get("Last_IO_Errno"));
                    assertEquals("", row.get("Last_IO_Error"));
                    assertNotNull(row.get("Seconds_Behind_Master"));
                    assertTrue(Long.parseLong(row.get("Seconds_Behind_Master")) < 60, row.toString());
                }
            }
            Map<String, String> viaCli = cli(relay, "SHOW SLAVE STATUS").rows().get(0);
            assertEquals(serverColumns, new ArrayList<>(viaCli.keySet()));
            assertEquals("Yes", viaCli.get("Slave_IO_Running"));
            assertEquals(at.file(), viaCli.get("Master_Log_File"));

            // a reader, then SHOW PROCESSLIST and KILL
            try (RawDumpClient reader = new RawDumpClient(relay.port(), RelayHarness.USER, RelayHarness.PASSWORD)) {
                reader.sendDump(at.file(), at.position(), 4242, 0); // at the tail (it reads no further than 2 events)
                assertNotNull(reader.readEvent());
                assertNotNull(reader.readEvent());
                String id;
                try (Connection c = admin(relay)) {
                    await("the reader is caught up in SHOW PROCESSLIST", () -> {
                        try {
                            return AdminClients.query(c, "SHOW PROCESSLIST").rows().stream().anyMatch(r ->
                                    "4242".equals(r.get("Server_id")) && "0".equals(r.get("Bytes_behind")));
                        } catch (java.sql.SQLException e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    AdminClients.Rows list = AdminClients.query(c, "SHOW FULL PROCESSLIST");
                    assertEquals(List.of("Id", "User", "Host", "db", "Command", "Time", "State", "Info", "Progress",
                            "Server_id", "Log_file", "Log_pos", "Bytes_behind", "Bytes_sent"), list.columns());
                    Map<String, String> row = list.rows().stream().filter(r -> "4242".equals(r.get("Server_id")))
                            .findFirst().orElseThrow();
                    assertEquals(RelayHarness.USER, row.get("User"));
                    assertEquals("Binlog Dump", row.get("Command"));
                    assertEquals(at.file(), row.get("Log_file"));
                    assertEquals(Long.toString(at.position()), row.get("Log_pos"));
                    assertEquals("0", row.get("Bytes_behind"));
                    id = row.get("Id");
                    assertTrue(list.rows().stream().anyMatch(r -> ADMIN.equals(r.get("User")) && "Sleep".equals(r.get("Command"))),
                            "the admin's own connection is listed: " + list.rows());
                }
                assertTrue(cli(relay, "SHOW PROCESSLIST").rows().stream().anyMatch(r -> "Binlog Dump".equals(r.get("Command"))));

                // /metrics after a workload: events counted, the reader's series by its server_id
                StockReplicasIT.workload0(primary, 30);
                RelayHarness.awaitCaughtUp(relay, primary, WAIT);
                String after = AdminClients.http(metricsPort, "/metrics");
                assertTrue(AdminClients.sample(after, "binlog_relay_upstream_events_total") > eventsBefore + 30, after);
                assertTrue(AdminClients.sample(after, "binlog_relay_reader_bytes_sent_total{reader=\"4242\"}") > 0, after);
                assertTrue(AdminClients.sample(after, "binlog_relay_downstream_readers") >= 1, after);
                assertTrue(AdminClients.sample(after, "binlog_relay_upstream_seconds_behind") >= 0, after);
                try (Connection c = admin(relay)) {
                    Map<String, String> row = AdminClients.query(c, "SHOW PROCESSLIST").rows().stream()
                            .filter(r -> id.equals(r.get("Id"))).findFirst().orElseThrow();
                    assertTrue(Long.parseLong(row.get("Bytes_sent")) > 0, row.toString());
                }

                cli(relay, "KILL " + id);
                assertThrows(java.io.IOException.class, () -> {
                    while (true) {
                        reader.readEvent(); // what was sent before the KILL, then the closed connection
                    }
                });
                try (Connection c = admin(relay)) {
                    await("the killed reader is gone", () -> {
                        try {
                            return AdminClients.query(c, "SHOW PROCESSLIST").rows().stream()
                                    .noneMatch(r -> id.equals(r.get("Id")));
                        } catch (java.sql.SQLException e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    assertEquals(1094, AdminClients.errorCode(c, "KILL 987654"));
                }
            }
        }
    }

    @Test
    void replicationUsersGet1227AndKeepWhatReadersNeed() throws Exception {
        try (Relay relay = Relay.start(config("denied"))) {
            RelayHarness.awaitCaughtUp(relay, primary, WAIT);
            List<String> statements = List.of("SHOW SLAVE STATUS", "SHOW REPLICA STATUS", "STOP SLAVE", "START SLAVE",
                    "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=1", "PURGE BINARY LOGS TO 'x'",
                    "PURGE BINARY LOGS BEFORE '2000-01-01'", "SHOW PROCESSLIST", "KILL 1");
            try (Connection c = AdminClients.connectorJ(relay.port(), RelayHarness.USER, RelayHarness.PASSWORD)) {
                for (String s : statements) {
                    assertEquals(1227, AdminClients.errorCode(c, s), s);
                }
                assertEquals(1, AdminClients.query(c, "SHOW MASTER STATUS").rows().size());
                assertTrue(AdminClients.query(c, "SHOW BINARY LOGS").rows().size() >= 1);
                assertEquals("CRC32", AdminClients.query(c, "SELECT @@global.binlog_checksum").rows().get(0).values()
                        .iterator().next());
            }
            for (String s : statements) {
                AdminClients.Cli r = AdminClients.mariadb(relay.port(), RelayHarness.USER, RelayHarness.PASSWORD, s);
                assertEquals(1, r.exitCode(), s + ": " + r.output());
                assertTrue(r.output().contains("ERROR 1227"), s + ": " + r.output());
            }
            assertEquals("Yes", slaveStatus(relay).get("Slave_IO_Running"), "nothing the refused statements asked happened");
        }
    }

    @Test
    void stopStartSurviveARestartAndChangeMasterRepoints() throws Exception {
        RelayConfig config = config("control");
        BinlogPosition stoppedAt;
        try (Relay relay = Relay.start(config)) {
            RelayHarness.awaitCaughtUp(relay, primary, WAIT);
            cli(relay, "STOP SLAVE");
            Map<String, String> status = slaveStatus(relay);
            assertEquals("No", status.get("Slave_IO_Running"));
            assertEquals("No", status.get("Slave_SQL_Running"));
            assertEquals("200 ok\n", AdminClients.http(relay.metrics().port(), "/ready"), "stopped on purpose is ready");
            stoppedAt = relay.store().committedEnd().orElseThrow();
            StockReplicasIT.workload0(primary, 10);
            BinlogPosition primaryEnd = RelayHarness.masterStatus(primary);
            // nothing is ingested while stopped (checked for 1.5 s), and readers are still served what is stored
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
            while (System.nanoTime() < until) {
                assertEquals(stoppedAt, relay.store().committedEnd().orElseThrow());
                Thread.sleep(50);
            }
            try (RawDumpClient reader = new RawDumpClient(relay.port(), RelayHarness.USER, RelayHarness.PASSWORD)) {
                assertTrue(reader.dumpAll(relay.store().files().get(0).name(), 4, 4343).size() > 20);
            }
            assertTrue(!primaryEnd.equals(stoppedAt));
        }
        try (Relay relay = Relay.start(config)) {
            assertEquals("No", slaveStatus(relay).get("Slave_IO_Running"), "STOP SLAVE survives a restart");
            assertEquals(stoppedAt, relay.store().committedEnd().orElseThrow());
            try (Connection c = admin(relay)) {
                AdminClients.query(c, "SELECT 1");
                c.createStatement().execute("START SLAVE");
                RelayHarness.awaitCaughtUp(relay, primary, WAIT);
                assertEquals("Yes", AdminClients.query(c, "SHOW SLAVE STATUS").only().get("Slave_IO_Running"));
                assertEquals(1198, AdminClients.errorCode(c, "CHANGE MASTER TO MASTER_PORT=1"), "only while stopped");
            }

            // through a proxy: another address of the same primary
            try (FaultProxy proxy = new FaultProxy(primary.port())) {
                cli(relay, "STOP SLAVE");
                cli(relay, "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=" + proxy.port());
                cli(relay, "START SLAVE");
                StockReplicasIT.workload0(primary, 10);
                RelayHarness.awaitCaughtUp(relay, primary, WAIT);
                Map<String, String> status = slaveStatus(relay);
                assertEquals(Integer.toString(proxy.port()), status.get("Master_Port"));
                assertEquals("Yes", status.get("Slave_IO_Running"));
                assertTrue(proxy.connections() >= 1);

                // a dead address: Connecting, the error shown, not ready
                int dead = FreePorts.find();
                cli(relay, "STOP SLAVE");
                cli(relay, "CHANGE MASTER TO MASTER_PORT=" + dead);
                cli(relay, "START SLAVE");
                await("SHOW SLAVE STATUS shows the connect error", () -> {
                    try {
                        Map<String, String> s = slaveStatus(relay);
                        return "Connecting".equals(s.get("Slave_IO_Running")) && "2003".equals(s.get("Last_IO_Errno"));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                assertTrue(slaveStatus(relay).get("Last_IO_Error").contains(Integer.toString(dead)));
                assertTrue(AdminClients.http(relay.metrics().port(), "/ready").startsWith("503 not streaming"));
            }
        }
        try (Relay relay = Relay.start(config)) {
            Map<String, String> status = slaveStatus(relay);
            assertTrue(status.get("Master_Port").equals(Integer.toString(config.upstream.port)), "CHANGE MASTER TO survives a restart");
            cli(relay, "STOP SLAVE");
            cli(relay, "CHANGE MASTER TO MASTER_HOST='" + primary.host() + "', MASTER_PORT=" + primary.port());
            cli(relay, "START SLAVE");
            StockReplicasIT.workload0(primary, 5);
            RelayHarness.awaitCaughtUp(relay, primary, WAIT);
            assertEquals(Integer.toString(primary.port()), slaveStatus(relay).get("Master_Port"));
        }
    }

    @Test
    void purgeRefusesAFileAConnectedReaderNeeds() throws Exception {
        primary.execute("FLUSH BINARY LOGS");
        String oldest = RelayHarness.masterStatus(primary).file();
        try (Connection c = primary.connect(); java.sql.Statement st = c.createStatement()) {
            for (int i = 0; i < 100; i++) { // 6 MB in this file: more than a socket and the write buffer hold
                st.executeUpdate("INSERT INTO app.t VALUES (" + (100_000 + i) + ", REPEAT('x', 60000), NULL)");
            }
        }
        primary.execute("FLUSH BINARY LOGS");
        StockReplicasIT.workload0(primary, 3);
        primary.execute("FLUSH BINARY LOGS");
        String newest = RelayHarness.masterStatus(primary).file();
        RelayConfig config = config("purge");
        config.downstream.writeBufferHigh = 64 * 1024;
        config.downstream.writeBufferLow = 32 * 1024;
        try (Relay relay = Relay.start(config)) {
            RelayHarness.awaitCaughtUp(relay, primary, WAIT);
            try (RawDumpClient reader = new RawDumpClient(relay.port(), RelayHarness.USER, RelayHarness.PASSWORD, 4096);
                 Connection c = admin(relay)) {
                reader.sendDump(oldest, 4, 777, 0);
                assertNotNull(reader.readEvent()); // then it stops reading: its stream stays in the oldest file
                await("the reader shows in the process list", () -> {
                    try {
                        return AdminClients.query(c, "SHOW PROCESSLIST").rows().stream().anyMatch(r -> "777".equals(r.get("Server_id")));
                    } catch (java.sql.SQLException e) {
                        throw new IllegalStateException(e);
                    }
                });
                Map<String, String> row = AdminClients.query(c, "SHOW PROCESSLIST").rows().stream()
                        .filter(r -> "777".equals(r.get("Server_id"))).findFirst().orElseThrow();
                assertEquals(oldest, row.get("Log_file"), row.toString());
                assertTrue(Long.parseLong(row.get("Bytes_behind")) > 1_000_000, row.toString());

                AdminClients.Cli refused = AdminClients.mariadb(relay.port(), ADMIN, ADMIN_PASSWORD,
                        "PURGE BINARY LOGS TO '" + newest + "'");
                assertEquals(1, refused.exitCode(), refused.output());
                assertTrue(refused.output().contains("ERROR 1378") && refused.output().contains("connection " + row.get("Id"))
                        && refused.output().contains(oldest), refused.output());
                assertTrue(AdminClients.query(c, "SHOW BINARY LOGS").rows().stream().anyMatch(r -> oldest.equals(r.get("Log_name"))));
                assertEquals(1373, AdminClients.errorCode(c, "PURGE BINARY LOGS TO 'no-such.000001'"));
                c.createStatement().execute("PURGE BINARY LOGS BEFORE '2000-01-01 00:00:00'"); // nothing that old

                c.createStatement().execute("KILL " + row.get("Id"));
                await("the killed reader is gone", () -> {
                    try {
                        return AdminClients.query(c, "SHOW PROCESSLIST").rows().stream().noneMatch(r -> "777".equals(r.get("Server_id")));
                    } catch (java.sql.SQLException e) {
                        throw new IllegalStateException(e);
                    }
                });
                cli(relay, "PURGE BINARY LOGS TO '" + newest + "'");
                assertEquals(newest, AdminClients.query(c, "SHOW BINARY LOGS").rows().get(0).get("Log_name"));
            }
        }
    }

    /** About {@code mb} MiB of row events on the primary (60 KB rows). */
    private void bulk(int firstId, int mb) throws Exception {
        try (Connection c = primary.connect(); java.sql.Statement st = c.createStatement()) {
            for (int i = 0; i < mb * 17; i++) {
                st.executeUpdate("INSERT INTO app.t VALUES (" + (firstId + i) + ", REPEAT('x', 60000), NULL)");
            }
        }
    }

    /**
     * SIGTERM with a reader at the tail and one stuck far behind (it stopped reading its socket with 12 MiB to go):
     * exit 0 after the bounded drain (5 s), the stuck reader closed, the store reopened at the same end.
     */
    @Test
    void sigtermStopsCleanlyAndExitsZeroWithinTheBound() throws Exception {
        bulk(200_000, 12);
        int metricsPort = FreePorts.find();
        Path dir = tmp.resolve("process");
        try (RelayProcess relay = RelayProcess.configure(dir, primary, RelayProcess.stablePort(),
                "storage:\n  sync: every_transaction\nmetrics:\n  listen: 127.0.0.1:" + metricsPort + "\n", dir.resolve("data"))) {
            relay.start();
            relay.awaitReady(WAIT);
            BinlogPosition end = relay.awaitCaughtUp(primary, WAIT);
            assertEquals("200 ok\n", AdminClients.http(metricsPort, "/health"));
            assertEquals("200 ok\n", AdminClients.http(metricsPort, "/ready"));
            String first;
            try (Connection c = relay.connect()) {
                first = AdminClients.query(c, "SHOW BINARY LOGS").rows().get(0).get("Log_name");
            }
            try (RawDumpClient reader = new RawDumpClient(relay.port(), RelayHarness.USER, RelayHarness.PASSWORD);
                 RawDumpClient stuck = new RawDumpClient(relay.port(), RelayHarness.USER, RelayHarness.PASSWORD, 4096)) {
                reader.sendDump(end.file(), end.position(), 5151, 0); // at the tail: nothing behind
                assertNotNull(reader.readEvent());
                stuck.sendDump(first, 4, 5252, 0);
                assertNotNull(stuck.readEvent());
                await("the stuck reader shows its backlog in /metrics", () -> {
                    try {
                        return AdminClients.sample(AdminClients.http(metricsPort, "/metrics"),
                                "binlog_relay_reader_bytes_behind{reader=\"5252\"}") > 1_000_000;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                long started = System.nanoTime();
                int exit = relay.terminate(Duration.ofSeconds(20));
                long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                String log = relay.logOfThisRun();
                assertEquals(0, exit, "exit status after SIGTERM; log:\n" + RelayProcess.tail(log));
                assertTrue(log.contains("SIGTERM received") && log.contains("clean shutdown took") && log.contains("closed"),
                        RelayProcess.tail(log));
                assertTrue(log.contains("1 reader(s) still behind after 5000 ms"), RelayProcess.tail(log)); // the stuck one
                assertTrue(tookMs < 12_000, "SIGTERM to exit took " + tookMs + " ms");
                System.out.printf("SIGTERM -> exit 0 in %d ms (one reader stuck: the 5 s drain bound)%n", tookMs);
                assertThrows(java.io.IOException.class, () -> {
                    while (true) {
                        reader.readEvent();
                    }
                });
            }
            relay.start();
            relay.awaitReady(WAIT);
            assertEquals(java.util.Optional.of(end), relay.recoveredEnd(), "the store reopens where it was closed");
        }
    }
}
