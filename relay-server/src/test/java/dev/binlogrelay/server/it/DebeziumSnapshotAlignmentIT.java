package dev.binlogrelay.server.it;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.binlogrelay.server.Relay;
import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.testkit.FaultProxy;
import dev.binlogrelay.testkit.MariaDbServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 12, point 4: a snapshot taken through the relay lines up with the stream the relay serves when the relay lags
 * its primary. The relay's upstream is held (a stalled proxy) while rows are written, so the primary, which answers
 * the snapshot as {@code downstream.sql_backend}, is ahead of the relay. Debezium (default settings) must then read
 * the primary's coordinates inside its snapshot, and its binlog dump from them must wait for the relay to store
 * them ({@code downstream.start_wait}) instead of failing or starting from the relay's older end: every row arrives
 * once, as a snapshot read, and what follows streams after it. Were the relay to answer its own (older)
 * coordinates, the rows written during the stall would come again as inserts.
 */
@Tag("debezium")
class DebeziumSnapshotAlignmentIT {
    private static final String USER = "dbz";
    private static final String PASSWORD = "dbz-secret";
    private static final Duration WAIT = Duration.ofSeconds(120);

    @TempDir
    Path tmp;

    @Test
    void aSnapshotAheadOfTheRelayStreamsFromItsOwnCoordinates() throws Exception {
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        Logger waitLog = (Logger) LoggerFactory.getLogger("dev.binlogrelay.server.downstream.DumpStartWait");
        logged.start();
        waitLog.addAppender(logged);
        MariaDbServer primary = MariaDbServer.builder().name("primary").serverId(31).start();
        Relay relay = null;
        DebeziumCapture capture = null;
        try (FaultProxy proxy = new FaultProxy(primary.port())) {
            primary.execute("SET sql_log_bin = 0", "CREATE USER " + USER + "@'%' IDENTIFIED BY '" + PASSWORD + "'",
                    "GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT, LOCK TABLES ON *.* TO " + USER + "@'%'");
            primary.execute("CREATE DATABASE shop", "CREATE TABLE shop.items (id INT PRIMARY KEY, v VARCHAR(20))",
                    "CREATE TABLE shop.marker (id INT PRIMARY KEY)",
                    "INSERT INTO shop.items SELECT seq, CONCAT('before ', seq) FROM shop.seq_1_to_100");

            RelayConfig config = RelayHarness.config(primary, tmp.resolve("relay"), 9061, "earliest");
            config.upstream.port = proxy.port();
            RelayConfig.User u = new RelayConfig.User();
            u.user = USER;
            u.password = PASSWORD;
            config.downstream.users = List.of(u);
            // longer than the default 5 s only so that a slow machine cannot turn this test into a timing test
            config.downstream.startWait = "60s";
            config.downstream.sqlBackend = new RelayConfig.SqlBackend();
            config.downstream.sqlBackend.host = primary.host();
            config.downstream.sqlBackend.port = primary.port();
            config.downstream.sqlBackend.user = USER;
            config.downstream.sqlBackend.password = PASSWORD;
            relay = Relay.start(config);
            RelayHarness.awaitCaughtUp(relay, primary, Duration.ofSeconds(60));

            proxy.stall(true); // the relay hears nothing more from its primary
            primary.execute("INSERT INTO shop.items SELECT seq, CONCAT('during ', seq) FROM shop.seq_101_to_150",
                    "UPDATE shop.items SET v = 'updated during' WHERE id <= 10",
                    "DELETE FROM shop.items WHERE id BETWEEN 91 AND 95");
            String primaryGtid = primary.gtidBinlogPos();
            Set<String> expectedRows = new TreeSet<>();
            for (List<String> row : primary.query("SELECT id, v FROM shop.items")) {
                expectedRows.add("{id=" + row.get(0) + ",v=" + row.get(1) + ",}");
            }
            assertTrue(!relay.store().committedEnd().orElseThrow().equals(RelayHarness.masterStatus(primary)), "the relay lags");

            capture = DebeziumCapture.start("aligned", "127.0.0.1", relay.port(), USER, PASSWORD, 5501,
                    Files.createDirectories(tmp.resolve("aligned")), new Properties());
            capture.awaitCount(145, WAIT); // the snapshot: 100 + 50 - 5 rows
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (logged.list.stream().noneMatch(e -> e.getFormattedMessage().contains("has not got to yet"))) {
                if (System.nanoTime() > deadline) {
                    fail("Debezium's dump did not wait for its start: " + logged.list);
                }
                assertEquals(null, capture.failure());
                java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L); // poll
            }
            proxy.stall(false);
            primary.execute("INSERT INTO shop.marker VALUES (1)", "UPDATE shop.items SET v = 'after' WHERE id = 150");
            List<DebeziumCapture.Change> all = capture.awaitChange(c -> c.table().equals("shop.items") && c.op().equals("u"), WAIT);

            List<DebeziumCapture.Change> snapshot = all.subList(0, 145);
            assertEquals(Set.of("r"), snapshot.stream().map(DebeziumCapture.Change::op).collect(Collectors.toSet()));
            assertEquals(expectedRows, snapshot.stream().map(DebeziumCapture.Change::after).collect(Collectors.toCollection(TreeSet::new)),
                    "the snapshot is the primary's table while the relay lagged");
            List<String> streamed = new ArrayList<>();
            for (DebeziumCapture.Change c : all.subList(145, all.size())) {
                streamed.add(c.op() + " " + c.table() + " " + c.key());
            }
            assertEquals(List.of("c shop.marker Struct{id=1}", "u shop.items Struct{id=150}"), streamed,
                    "only what was written after the snapshot streams: nothing of the stall again");
            assertTrue(logged.list.stream().anyMatch(e -> e.getFormattedMessage().contains("its start was stored after")), logged.list.toString());
            System.out.println("snapshot at the primary's " + primaryGtid + "; relay wait: " + logged.list.stream()
                    .map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains("stored after")).findFirst().orElse(""));
        } finally {
            waitLog.detachAppender(logged);
            try {
                if (capture != null) {
                    capture.close();
                }
            } finally {
                RelayHarness.closeAll(relay, primary);
            }
        }
    }
}
