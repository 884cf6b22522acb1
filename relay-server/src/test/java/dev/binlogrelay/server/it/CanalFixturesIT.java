package dev.binlogrelay.server.it;

import com.alibaba.otter.canal.client.CanalConnector;
import com.alibaba.otter.canal.client.CanalConnectors;
import com.alibaba.otter.canal.protocol.CanalEntry;
import com.alibaba.otter.canal.protocol.Message;
import dev.binlogrelay.server.Relay;
import dev.binlogrelay.server.cli.Main;
import dev.binlogrelay.server.wiring.ConfigCheck;
import dev.binlogrelay.testkit.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 13: the recorded MySQL 5.7, 8.0 (8.0.22–8.2) and 9.x binlogs (shared/fixtures/binlog) consumed through the
 * stock canal.client 1.1.8. Each file is loaded with the operator's {@code binlog-relay import --config relay.yaml
 * FILE}, a relay with a {@code canal:} section (destination {@code start: earliest}, no upstream) starts on that
 * store from the same YAML, and the client connects, subscribes and reads with getWithoutAck/ack to the end. Every
 * rows event of the file must come as one ROWDATA entry of its kind and table, with every row and every column the
 * image holds, each value as mysql-binlog-connector-java decodes it from the same file ({@link ConnectorRows}: a
 * decoder that is not ours) written in Canal's format. What that decoder cannot read is checked against what the
 * file's own statements say: MySQL 9's VECTOR columns (their DDL's dimensions), JSON partial updates (the
 * generated column the server computed from the new value, as RowsFixturesTest in relay-core). The 5.7 file of 60
 * transactions is also read across a relay restart: half acknowledged, the relay stopped and started on the same
 * store, the client resumes after its last ack with no entry twice and none missing.
 */
class CanalFixturesIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String OS = "osheroff-mysql-binlog-connector-java/";
    private static final String BB = "blackbeam-rust_mysql_common/";

    @TempDir
    Path tmp;

    static Stream<Arguments> fixtures() {
        return Stream.of(
                Arguments.of("5.7", OS + "mysql-bin.checksum-crc32"),
                Arguments.of("5.7", OS + "mysql-bin.checksum-none"),
                Arguments.of("5.7", "easypost-rust-mysql-binlog/bin-log.000001"),
                Arguments.of("5.7", "rust-us-mysql-cdc-rs/5.7/29_row_query/log.bin"),
                Arguments.of("5.7", "rust-us-mysql-cdc-rs/5.7/31_update_rows_v2/log.bin"),
                Arguments.of("8.0", BB + "binlog-invisible-columns.000001"),
                Arguments.of("8.0", BB + "json.binlog.000001"),
                Arguments.of("8.0", BB + "mysql-enum-string-set.000001"),
                Arguments.of("8.0", BB + "mysql_type_bit.000001"),
                Arguments.of("8.0", BB + "minimal_row_metadata.000001"),
                Arguments.of("8.0", BB + "time_issue.000001"),
                Arguments.of("8.0", BB + "transaction_compression.000001"),
                Arguments.of("8.0", OS + "mysql-bin.compressed"),
                Arguments.of("8.0", "rust-us-mysql-cdc-rs/8.0/02_query_bigger/binlog.000733"),
                Arguments.of("8.2", "rust-us-mysql-cdc-rs/8.0/32_delete_rows_v2/binlog.000001"),
                Arguments.of("9.x", BB + "json-opaque.binlog"),
                Arguments.of("9.x", BB + "vector.binlog"),
                Arguments.of("9.x", BB + "binlog_transaction_with_GTID_TAG.000001"));
    }

    /** The relay's YAML: the store, a downstream user, the Canal front end with destinations a and b from the start. */
    private Path yaml(Path store) throws Exception {
        Path config = tmp.resolve("relay-" + store.getFileName() + ".yaml");
        Files.writeString(config, """
                server_id: 9001
                data_dir: %s
                downstream:
                  listen: 127.0.0.1:0
                  users:
                    - user: repl
                      password: secret
                canal:
                  listen: 127.0.0.1:0
                  destinations:
                    - name: a
                      start: earliest
                    - name: b
                      start: earliest
                  users:
                    - user: canal
                      password: canalpw
                """.formatted(store));
        return config;
    }

    /** Imports the fixture with the CLI's import command; the config of the relay that serves it. */
    private Path imported(String fixture) throws Exception {
        Path file = Fixtures.file(fixture);
        Path config = yaml(tmp.resolve("store"));
        int code = new picocli.CommandLine(new Main()).execute("import", "--config", config.toString(), file.toString());
        assertEquals(0, code, "binlog-relay import " + fixture);
        return config;
    }

    private static CanalConnector client(Relay relay, String destination) {
        CanalConnector c = CanalConnectors.newSingleConnector(new InetSocketAddress("127.0.0.1", relay.canalPort()),
                destination, "canal", "canalpw");
        c.connect();
        c.subscribe();
        c.rollback();
        return c;
    }

    /** Reads and acknowledges batches of {@code size} until {@code rowEvents} row entries came and a get finds nothing. */
    private static List<CanalEntry.Entry> readToEnd(CanalConnector c, int size, long rowEvents, List<CanalEntry.Entry> got) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            Message m = c.getWithoutAck(size, 300L, TimeUnit.MILLISECONDS);
            if (m.getId() == -1 && rowEntries(got).size() >= rowEvents) {
                return got;
            }
            got.addAll(m.getEntries());
            c.ack(m.getId());
            assertTrue(System.nanoTime() < deadline, "only " + rowEntries(got).size() + " of " + rowEvents
                    + " row entries within " + WAIT);
        }
    }

    static List<CanalEntry.Entry> rowEntries(List<CanalEntry.Entry> entries) {
        return entries.stream().filter(e -> e.getEntryType() == CanalEntry.EntryType.ROWDATA).filter(e -> {
            CanalEntry.EventType t = e.getHeader().getEventType();
            return t == CanalEntry.EventType.INSERT || t == CanalEntry.EventType.UPDATE
                    || t == CanalEntry.EventType.DELETE;
        }).toList();
    }

    @ParameterizedTest(name = "MySQL {0}: {1}")
    @MethodSource("fixtures")
    void aStockClientGetsEveryRowOfTheFile(String version, String fixture) throws Exception {
        Path config = imported(fixture);
        List<ConnectorRows.Rows> expected = ConnectorRows.of(Files.readAllBytes(Fixtures.file(fixture)));
        assertTrue(!expected.isEmpty(), fixture + " has rows events");
        List<CanalEntry.Entry> got;
        try (Relay relay = Relay.start(ConfigCheck.load(config))) {
            CanalConnector c = client(relay, "a");
            try {
                got = readToEnd(c, 7, expected.size(), new ArrayList<>());
            } finally {
                c.disconnect();
            }
        }
        CanalRowsCheck.check(fixture, expected, rowEntries(got), Files.readAllBytes(Fixtures.file(fixture)));
    }

    /** The 5.7 file's 60 transactions across a relay restart: no entry twice, none missing. */
    @Test
    void aRelayRestartResumesAfterTheLastAckWithNoDuplicateAndNoGap() throws Exception {
        String fixture = OS + "mysql-bin.checksum-crc32";
        Path config = imported(fixture);
        long rowEvents = ConnectorRows.of(Files.readAllBytes(Fixtures.file(fixture))).size();
        List<String> whole;
        List<String> before = new ArrayList<>();
        Relay relay = Relay.start(ConfigCheck.load(config));
        try {
            CanalConnector ref = client(relay, "a");
            whole = ids(readToEnd(ref, 50, rowEvents, new ArrayList<>()));
            ref.disconnect();
            CanalConnector c = client(relay, "b");
            int batches = 0;
            while (before.size() < whole.size() / 2) {
                Message m = c.getWithoutAck(7); // 7: batches end inside transactions
                assertTrue(m.getId() != -1, "entries left");
                before.addAll(ids(m.getEntries()));
                c.ack(m.getId());
                batches++;
            }
            Message unacked = c.getWithoutAck(5);
            assertEquals(5, unacked.getEntries().size(), "a batch left unacknowledged");
            assertTrue(batches > 3);
            c.disconnect();
        } finally {
            relay.close();
        }
        try (Relay again = Relay.start(ConfigCheck.load(config))) {
            CanalConnector c = client(again, "b");
            List<CanalEntry.Entry> rest = new ArrayList<>();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (before.size() + rest.size() < whole.size()) {
                Message m = c.getWithoutAck(50, 300L, TimeUnit.MILLISECONDS);
                rest.addAll(m.getEntries());
                c.ack(m.getId());
                assertTrue(System.nanoTime() < deadline, "the rest within " + WAIT);
            }
            assertEquals(-1, c.getWithoutAck(50, 300L, TimeUnit.MILLISECONDS).getId(), "nothing after the end");
            c.disconnect();
            List<String> all = new ArrayList<>(before);
            all.addAll(ids(rest));
            assertEquals(whole, all, "after the restart: exactly what was not acknowledged, once");
        }
    }

    /** Entry identities: kind, position, and for row entries the event type and row count. */
    private static List<String> ids(List<CanalEntry.Entry> entries) throws Exception {
        List<String> out = new ArrayList<>();
        for (CanalEntry.Entry e : entries) {
            CanalEntry.Header h = e.getHeader();
            String s = e.getEntryType() + " " + h.getLogfileName() + ":" + h.getLogfileOffset();
            if (e.getEntryType() == CanalEntry.EntryType.ROWDATA) {
                s += " " + h.getEventType() + " " + CanalEntry.RowChange.parseFrom(e.getStoreValue()).getRowDatasCount();
            }
            out.add(s);
        }
        return out;
    }
}
