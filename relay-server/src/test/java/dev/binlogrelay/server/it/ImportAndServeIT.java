package dev.binlogrelay.server.it;

import dev.binlogrelay.server.importer.BinlogImporter;

import com.github.shyiko.mysql.binlog.BinaryLogFileReader;
import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.EventHeaderV4;
import com.github.shyiko.mysql.binlog.event.EventType;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDeserializer;
import dev.binlogrelay.core.binlog.BinlogFormatException;
import dev.binlogrelay.server.Relay;
import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.storage.BinlogStore;
import dev.binlogrelay.storage.StoreOptions;
import dev.binlogrelay.testkit.Fixtures;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Recorded binlogs of MySQL 5.6–9.x and MariaDB (shared/fixtures; a missing one skips, or fails under RELAY_STRICT_PEERS=1), imported and served
 * with no upstream: mysql-binlog-connector-java reading through the relay gets the same events as its own
 * file reader gets from the file.
 */
public class ImportAndServeIT {
    @TempDir
    Path tmp;

    static Stream<String> servable() {
        return Stream.of(
                "osheroff-mysql-binlog-connector-java/mysql-bin.checksum-crc32",
                "osheroff-mysql-binlog-connector-java/mysql-bin.checksum-none",
                "osheroff-mysql-binlog-connector-java/mysql-bin.compressed",
                "blackbeam-rust_mysql_common/binlog-invisible-columns.000001",
                "blackbeam-rust_mysql_common/json.binlog.000001",
                "blackbeam-rust_mysql_common/binlog_transaction_with_GTID_TAG.000001",
                "blackbeam-rust_mysql_common/transaction_compression.000001",
                "blackbeam-rust_mysql_common/mariadb-bin.000001",
                "easypost-rust-mysql-binlog/bin-log.000001",
                "rust-us-mysql-cdc-rs/5.7/29_row_query/log.bin",
                "rust-us-mysql-cdc-rs/8.0/02_query_bigger/binlog.000733");
    }

    /** A fixture file; a missing one skips the test, or fails it under RELAY_STRICT_PEERS=1. */
    static Path fixture(String name) {
        return Fixtures.file(name);
    }

    @ParameterizedTest
    @MethodSource("servable")
    void importedFileIsServedAsTheFileReaderSeesIt(String name) throws Exception {
        Path file = fixture(name);
        Path data = tmp.resolve("store");
        try (BinlogStore store = BinlogStore.open(data, StoreOptions.defaults())) {
            new BinlogImporter(store).importFile(file);
        }
        RelayConfig config = RelayHarnessAccess.config(data);
        try (Relay relay = Relay.start(config)) {
            List<String> expected = fileReader(Files.readAllBytes(file));
            List<String> relayed = RelayHarnessAccess.connectorEvents(
                    relay.port(), file.getFileName().toString(), 4);
            assertTrue(expected.size() >= 3, "fixture events: " + expected);
            assertEquals(expected.size(), relayed.size(), () -> firstDifference(expected, relayed));
            assertEquals(expected, relayed, () -> firstDifference(expected, relayed));
        }
    }

    /** Every fixture, including types this connector version cannot parse (VECTOR columns of 9.0). */
    static Stream<String> allServable() {
        return Stream.concat(servable(), Stream.of("blackbeam-rust_mysql_common/vector.binlog",
                "blackbeam-rust_mysql_common/binlog_transaction_with_anonymous_GTID.000001",
                "blackbeam-rust_mysql_common/minimal_row_metadata.000001",
                "blackbeam-rust_mysql_common/ver_trunk_row_v2.001",
                "rust-us-mysql-cdc-rs/5.7/17_18_load/log.bin"));
    }

    @ParameterizedTest
    @MethodSource("allServable")
    void rawReadersGetTheFileBytesWithTheChecksumTheyAskFor(String name) throws Exception {
        Path file = fixture(name);
        Path data = tmp.resolve("store");
        try (BinlogStore store = BinlogStore.open(data, StoreOptions.defaults())) {
            new BinlogImporter(store).importFile(file);
        }
        var parsed = dev.binlogrelay.core.binlog.BinlogFile.parse(name, Files.readAllBytes(file));
        boolean checksummed = dev.binlogrelay.core.binlog.FormatDescription.hasChecksumField(parsed.formatDescription());
        String fileName = file.getFileName().toString();
        try (Relay relay = Relay.start(RelayHarnessAccess.config(data))) {
            for (String alg : List.of("CRC32", "NONE")) {
                List<byte[]> got;
                try (RawDumpClient c = new RawDumpClient(relay.port(), RelayHarness.USER, RelayHarness.PASSWORD)) {
                    c.query("SET @master_binlog_checksum = '" + alg + "'");
                    got = c.dumpAll(fileName, 4, 4747, 1 | 2); // non-blocking, with ANNOTATE_ROWS
                }
                assertEquals(parsed.events().size() + 1, got.size(), alg + ": a fake rotate, then every event");
                for (int i = 0; i < parsed.events().size(); i++) {
                    byte[] expected = dev.binlogrelay.core.binlog.FormatDescription.withoutInUseFlag(parsed.events().get(i));
                    byte[] actual = got.get(i + 1);
                    if (checksummed) {
                        expected = convert(expected, parsed.checksum(), dev.binlogrelay.core.binlog.ChecksumAlgorithm.fromName(alg));
                    }
                    org.junit.jupiter.api.Assertions.assertArrayEquals(expected, actual, alg + ": event " + i + " of " + name);
                }
            }
        }
    }

    private static byte[] convert(byte[] e, dev.binlogrelay.core.binlog.ChecksumAlgorithm from,
                                  dev.binlogrelay.core.binlog.ChecksumAlgorithm to) {
        if (from == to) {
            return e;
        }
        if (dev.binlogrelay.core.binlog.Events.type(e) == dev.binlogrelay.core.binlog.EventType.FORMAT_DESCRIPTION) {
            return dev.binlogrelay.core.binlog.FormatDescription.withChecksum(e, to);
        }
        return to == dev.binlogrelay.core.binlog.ChecksumAlgorithm.NONE
                ? dev.binlogrelay.core.binlog.Events.withoutCrc(e) : dev.binlogrelay.core.binlog.Events.withCrc(e);
    }

    static Stream<String> withMysqlGtids() {
        return Stream.of("blackbeam-rust_mysql_common/binlog-invisible-columns.000001",
                "blackbeam-rust_mysql_common/mysql-enum-string-set.000001",
                "easypost-rust-mysql-binlog/bin-log.000001",
                "rust-us-mysql-cdc-rs/5.7/05_intvar/log.bin");
    }

    /** mysql-binlog-connector-java as a MySQL reader with a GTID set: it gets everything but those transactions. */
    @ParameterizedTest
    @MethodSource("withMysqlGtids")
    void gtidSetReaderGetsTheTransactionsItLacks(String name) throws Exception {
        Path file = fixture(name);
        Path data = tmp.resolve("store");
        try (BinlogStore store = BinlogStore.open(data, StoreOptions.defaults())) {
            new BinlogImporter(store).importFile(file);
        }
        var parsed = dev.binlogrelay.core.binlog.BinlogFile.parse(name, Files.readAllBytes(file));
        var gtids = new ArrayList<dev.binlogrelay.core.binlog.MysqlGtidEvent.Gtid>();
        for (byte[] e : parsed.events()) {
            dev.binlogrelay.core.binlog.MysqlGtidEvent.gtid(e, parsed.checksum()).ifPresent(gtids::add);
        }
        assertTrue(gtids.size() >= 2, name + " has GTIDs");
        var first = gtids.get(0);
        String executed = first.tsid().uuid() + ":1-" + first.gno(); // the reader has the first transaction
        // expected: the file's events without the group of the first GTID
        List<String> all = fileReader(Files.readAllBytes(file));
        List<String> expected = new ArrayList<>();
        var tracker = new dev.binlogrelay.core.binlog.GroupTracker();
        boolean skipping = false;
        for (int i = 0; i < parsed.events().size(); i++) {
            byte[] e = parsed.events().get(i);
            int flags = tracker.classify(e, parsed.checksum());
            if ((flags & dev.binlogrelay.core.binlog.GroupTracker.START) != 0) {
                skipping = dev.binlogrelay.core.binlog.MysqlGtidEvent.gtid(e, parsed.checksum())
                        .map(g -> g.equals(first)).orElse(false);
            }
            if (!skipping) {
                expected.add(all.get(i));
            }
            if ((flags & dev.binlogrelay.core.binlog.GroupTracker.END) != 0) {
                skipping = false;
            }
        }
        assertTrue(expected.size() < all.size());
        try (Relay relay = Relay.start(RelayHarnessAccess.config(data))) {
            List<String> relayed = RelayHarnessAccess.connectorEvents(relay.port(), "", 4, executed);
            assertEquals(expected, relayed, () -> firstDifference(expected, relayed));
        }
    }

    @ParameterizedTest
    @MethodSource("broken")
    void brokenFilesAreRefusedWithFileOffsetAndReason(String name, String reason) throws Exception {
        Path file = fixture(name);
        try (BinlogStore store = BinlogStore.open(tmp.resolve("store"), StoreOptions.defaults())) {
            BinlogFormatException e = assertThrows(BinlogFormatException.class, () -> new BinlogImporter(store).importFile(file));
            assertTrue(e.getMessage().contains(file.getFileName().toString()) && e.getMessage().contains("offset")
                    && e.getMessage().contains(reason), e.getMessage());
            assertTrue(store.files().isEmpty(), "nothing stored");
        }
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> broken() {
        return Stream.of(
                org.junit.jupiter.params.provider.Arguments.of("blackbeam-rust_mysql_common/binlog_truncated_event.000001", "truncated"),
                org.junit.jupiter.params.provider.Arguments.of("blackbeam-rust_mysql_common/binlog_truncated_prev_gtid_event.000001", "truncated"));
    }

    @org.junit.jupiter.api.Test
    void importCommandLoadsFilesAndRefusesBrokenOnes() throws Exception {
        Path good = fixture("osheroff-mysql-binlog-connector-java/mysql-bin.checksum-crc32");
        Path broken = fixture("blackbeam-rust_mysql_common/binlog_truncated_event.000001");
        Path config = tmp.resolve("relay.yaml");
        Files.writeString(config, """
                server_id: 9001
                data_dir: %s
                downstream:
                  listen: 127.0.0.1:0
                  users:
                    - user: repl
                      password: secret
                """.formatted(tmp.resolve("cli-store")));
        picocli.CommandLine cli = new picocli.CommandLine(new dev.binlogrelay.server.cli.Main());
        assertEquals(0, cli.execute("import", "--config", config.toString(), good.toString()));
        assertEquals(4, cli.execute("import", "--config", config.toString(), broken.toString()));
        assertEquals(4, cli.execute("import", "--config", config.toString(), good.toString()), "already imported");
        try (BinlogStore store = BinlogStore.open(tmp.resolve("cli-store"), StoreOptions.defaults())) {
            assertEquals(List.of("mysql-bin.checksum-crc32"), store.files().stream().map(f -> f.name()).toList());
            assertEquals(Files.size(good), store.files().get(0).size());
        }
    }

    @org.junit.jupiter.api.Test
    void aCorruptedByteIsRefusedByItsCrc() throws Exception {
        Path file = fixture("osheroff-mysql-binlog-connector-java/mysql-bin.checksum-crc32");
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x01;
        Path bad = tmp.resolve("mysql-bin.000009");
        Files.write(bad, bytes);
        try (BinlogStore store = BinlogStore.open(tmp.resolve("store"), StoreOptions.defaults())) {
            BinlogFormatException e = assertThrows(BinlogFormatException.class, () -> new BinlogImporter(store).importFile(bad));
            assertTrue(e.getMessage().contains("CRC32") && e.getMessage().contains("mysql-bin.000009 at offset"), e.getMessage());
        }
    }

    static String firstDifference(List<String> expected, List<String> actual) {
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            if (!expected.get(i).equals(actual.get(i))) {
                return "event " + i + " differs:\n  file:  " + expected.get(i) + "\n  relay: " + actual.get(i);
            }
        }
        return "file has " + expected.size() + " events, relay sent " + actual.size()
                + (actual.size() > expected.size() ? "; extra: " + actual.subList(expected.size(), actual.size()) : "");
    }

    /** What the connector's own file reader sees: "TYPE@nextPosition data". */
    static List<String> fileReader(byte[] file) throws IOException {
        List<String> out = new ArrayList<>();
        try (BinaryLogFileReader reader = new BinaryLogFileReader(new ByteArrayInputStream(file),
                dev.binlogrelay.server.testsupport.RawEvents.deserializer())) {
            for (Event e; (e = reader.readEvent()) != null; ) {
                out.add(describe(e));
            }
        }
        return out;
    }

    public static String describe(Event e) {
        return dev.binlogrelay.server.testsupport.RawEvents.describe(e);
    }

    public static boolean isFakeRotate(Event e) {
        return e.getHeader().getEventType() == EventType.ROTATE && ((EventHeaderV4) e.getHeader()).getTimestamp() == 0;
    }
}
