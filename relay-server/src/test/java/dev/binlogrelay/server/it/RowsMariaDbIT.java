package dev.binlogrelay.server.it;

import dev.binlogrelay.core.rows.Column;
import dev.binlogrelay.core.rows.RowImage;
import dev.binlogrelay.core.rows.RowsEvent;
import dev.binlogrelay.core.rows.RowsFormat;
import dev.binlogrelay.core.rows.RowsStream;
import dev.binlogrelay.core.rows.TableMap;
import dev.binlogrelay.core.rows.Values;
import dev.binlogrelay.server.Relay;
import dev.binlogrelay.storage.BinlogCursor;
import dev.binlogrelay.storage.StoredEvent;
import dev.binlogrelay.testkit.MariaDbLine;
import dev.binlogrelay.testkit.MariaDbServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Row decoding (core.rows) against a live MariaDB 10.11 primary: a table with every MariaDB column type gets rows
 * inserted, updated and deleted under binlog_row_metadata FULL and MINIMAL, binlog_row_image MINIMAL, and
 * log_bin_compress (compressed rows events); the relay stores the binlog, the test reads it back from the relay's
 * store, decodes it, and compares every decoded value with what SELECT returns for the row at that moment.
 * {@link RowsMariaDb114IT} does the same with a MariaDB 11.4 primary.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RowsMariaDbIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    /** One way of writing the rows: the server settings in force while the phase's table is written. */
    enum Phase {
        FULL("FULL", "FULL", false), MINIMAL_METADATA("MINIMAL", "FULL", false),
        MINIMAL_IMAGE("FULL", "MINIMAL", false), COMPRESSED("FULL", "FULL", true),
        /** Tables created with mysql56_temporal_format=OFF: MariaDB's own TIME/DATETIME/TIMESTAMP with fractions. */
        OLD_TEMPORAL("FULL", "FULL", false);

        final String metadata;
        final String image;
        final boolean compress;

        Phase(String metadata, String image, boolean compress) {
            this.metadata = metadata;
            this.image = image;
            this.compress = compress;
        }

        String table() {
            return "t_" + name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    Path tmp;
    MariaDbServer primary;
    Relay relay;
    /** Per phase: the table's rows (by id) after the inserts, after the updates. */
    final Map<Phase, List<Map<Integer, Map<String, String>>>> snapshots = new HashMap<>();
    /** Per phase: the decoded rows events of its table, in binlog order. */
    final Map<String, List<RowsEvent>> decoded = new HashMap<>();
    long decodeNanos;
    int decodedEvents;

    /** The primary's MariaDB line. */
    MariaDbLine line() {
        return MariaDbLine.MARIADB_10_11;
    }

    @BeforeAll
    void start() throws Exception {
        tmp = java.nio.file.Files.createTempDirectory("rows-it");
        primary = line().builder().name("primary").serverId(1).extraArg("--binlog-format=ROW")
                .extraArg("--binlog-row-metadata=FULL").extraArg("--log-bin-compress-min-len=10").start();
        relay = Relay.start(RelayHarness.config(primary, tmp.resolve("relay"), 9621, "earliest"));
        primary.execute("CREATE DATABASE d");
        for (Phase p : Phase.values()) {
            primary.execute("SET GLOBAL binlog_row_metadata=" + p.metadata, "SET GLOBAL log_bin_compress="
                    + (p.compress ? "ON" : "OFF"), "SET GLOBAL mysql56_temporal_format="
                    + (p == Phase.OLD_TEMPORAL ? "OFF" : "ON"));
            snapshots.put(p, AllTypes.workload(primary, "d." + p.table(), p.image, p.metadata.equals("FULL")));
        }
        primary.execute("SET GLOBAL binlog_row_metadata=FULL", "SET GLOBAL log_bin_compress=OFF",
                "SET GLOBAL mysql56_temporal_format=ON");
        RelayHarness.awaitCaughtUp(relay, primary, WAIT);
        keepBinlogs();
        String first = relay.store().files().get(0).name();
        // the fractional digits of old-format temporal columns come from the table definition, not the TABLE_MAP
        RowsStream stream = new RowsStream(RowsFormat.DEFAULT_MAX_INFLATED)
                .withDefinitions(t -> t.schema().equals("d") ? t.withDecimals(AllTypes.temporalDecimals()) : t);
        long t0 = System.nanoTime();
        try (BinlogCursor c = relay.store().openCursor(first, 4)) {
            for (StoredEvent e = c.next(); e != null; e = c.next()) {
                for (RowsEvent r : stream.accept(e.bytes())) {
                    decoded.computeIfAbsent(r.table().table(), k -> new ArrayList<>()).add(r);
                    decodedEvents++;
                }
            }
        }
        decodeNanos = System.nanoTime() - t0;
        System.out.printf("%s: decoded %d rows events from the relay's store in %.1f ms%n", line(), decodedEvents,
                decodeNanos / 1e6);
    }

    /** The primary's binlogs, kept in target/ (seeds for RowsFuzzTest, and for looking at a failure). */
    private void keepBinlogs() throws java.io.IOException {
        Path out = Path.of("target", "rows-it-binlogs", line().version());
        java.nio.file.Files.createDirectories(out);
        for (String f : primary.binlogFiles()) {
            java.nio.file.Files.copy(primary.binlogDir().resolve(f), out.resolve(f),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @AfterAll
    void stop() throws java.io.IOException {
        try {
            RelayHarness.closeAll(relay, primary);
        } finally {
            if (tmp != null) {
                try (var files = java.nio.file.Files.walk(tmp)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Phase.class)
    void decodedRowsMatchSelect(Phase p) {
        List<RowsEvent> events = decoded.get(p.table());
        assertNotNull(events, "rows events of " + p.table());
        List<Map<Integer, Map<String, String>>> snap = snapshots.get(p);
        List<RowsEvent.Change> writes = new ArrayList<>();
        List<RowsEvent.Change> updates = new ArrayList<>();
        List<RowsEvent.Change> deletes = new ArrayList<>();
        for (RowsEvent r : events) {
            (r.kind() == RowsEvent.Kind.WRITE ? writes : r.kind() == RowsEvent.Kind.UPDATE ? updates : deletes)
                    .addAll(r.rows());
            checkTable(r.table(), p);
        }
        assertEquals(AllTypes.INSERTED, writes.size(), "inserted rows");
        assertEquals(AllTypes.UPDATED, updates.size(), "updated rows");
        assertEquals(1, deletes.size(), "deleted rows");
        TableMap table = events.get(0).table();
        for (RowsEvent.Change c : writes) {
            compare(table, c.after(), snap.get(0), p, "insert", null);
        }
        for (RowsEvent.Change c : updates) {
            int id = compare(table, c.before(), snap.get(0), p, "update before", null);
            // a MINIMAL after image need not hold the key: the row is the before image's
            compare(table, c.after(), snap.get(1), p, "update after", id);
            if (p == Phase.MINIMAL_IMAGE) {
                assertEquals(1, c.before().columns().cardinality(), "a MINIMAL before image holds the key only");
                assertTrue(c.after().columns().cardinality() < table.columnCount(),
                        "a MINIMAL after image holds the changed columns only");
            }
        }
        compare(table, deletes.get(0).before(), snap.get(1), p, "delete", null);
    }

    private static void checkTable(TableMap t, Phase p) {
        assertEquals("d", t.schema());
        assertEquals(AllTypes.COLUMNS.size(), t.columnCount());
        for (int i = 0; i < t.columnCount(); i++) {
            Column c = t.column(i);
            AllTypes.Col spec = AllTypes.COLUMNS.get(i);
            assertEquals(p.metadata.equals("FULL") ? spec.name() : null, c.name(), "column names with FULL only");
            if (spec.unsigned() != null) {
                assertEquals(spec.unsigned(), c.unsigned(), spec.name() + " signedness (MINIMAL and FULL)");
            }
        }
        assertEquals(p.metadata.equals("FULL") ? List.of(0) : List.of(), t.primaryKey(), "primary key with FULL");
    }

    /**
     * Compares every column an image holds with the SELECT snapshot of its row (the image's id, or {@code rowId}
     * when given); returns the row's id.
     */
    private static int compare(TableMap t, RowImage img, Map<Integer, Map<String, String>> rows, Phase p,
                               String what, Integer rowId) {
        assertNotNull(img, what);
        int id = rowId != null ? rowId : ((Long) img.get(0)).intValue();
        if (rowId != null && img.has(0)) {
            assertEquals((long) rowId, img.get(0), what + ": the same row");
        }
        Map<String, String> row = rows.get(id);
        assertNotNull(row, what + ": row " + id + " in the snapshot");
        for (int i = 0; i < t.columnCount(); i++) {
            if (!img.has(i)) {
                continue;
            }
            AllTypes.Col spec = AllTypes.COLUMNS.get(i);
            String expected = row.get(spec.name());
            String actual = text(img.get(i), spec, p);
            assertEquals(expected, actual, p + " " + what + " row " + id + " column " + spec.name() + " ("
                    + spec.type() + ")");
        }
        return id;
    }

    /** The decoded value in the form {@link AllTypes#select} gives: see each column's SELECT expression. */
    private static String text(Object v, AllTypes.Col spec, Phase p) {
        if (v == null) {
            return null;
        }
        if (v instanceof byte[] b) {
            return HexFormat.of().withUpperCase().formatHex(b);
        }
        if (v instanceof Values.GeometryValue g) {
            return g.srid() + ":" + HexFormat.of().withUpperCase().formatHex(g.wkb());
        }
        if (v instanceof Values.TimestampValue ts) {
            return ts.text(ZoneOffset.UTC);
        }
        if (v instanceof Values.EnumValue e) {
            return p.metadata.equals("FULL") ? e.name() : Integer.toString(e.index());
        }
        if (v instanceof Values.SetValue s) {
            return p.metadata.equals("FULL") ? String.join(",", s.names()) : Long.toString(s.bits());
        }
        if (v instanceof BigDecimal d) {
            return d.toPlainString();
        }
        if (v instanceof Long l && spec.type().startsWith("BIT")) {
            return Long.toUnsignedString(l);
        }
        return v.toString();
    }
}
