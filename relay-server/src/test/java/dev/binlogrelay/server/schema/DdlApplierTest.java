package dev.binlogrelay.server.schema;

import dev.binlogrelay.core.rows.Column;
import dev.binlogrelay.core.rows.ColumnType;
import dev.binlogrelay.core.rows.TableMap;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DDL applied in order with the parser, on the forms MariaDB 10.11 and 11.4 write (SHOW CREATE TABLE, binlog QUERY text). */
class DdlApplierTest {
    /** SHOW CREATE TABLE of a MariaDB 10.11 table (copied from the server's answer). */
    static final String ORDERS = """
            CREATE TABLE `orders` (
              `id` int(10) unsigned NOT NULL AUTO_INCREMENT,
              `customer` varchar(40) CHARACTER SET latin1 COLLATE latin1_swedish_ci DEFAULT NULL,
              `status` enum('new','paid','it''s shipped') NOT NULL DEFAULT 'new',
              `tags` set('a','b') DEFAULT NULL,
              `amount` decimal(10,2) unsigned zerofill DEFAULT NULL,
              `small` tinyint(4) DEFAULT NULL,
              `at` datetime(3) DEFAULT current_timestamp(3),
              `note` text DEFAULT NULL,
              `raw` varbinary(16) DEFAULT NULL,
              `total` int(11) GENERATED ALWAYS AS (`id` * 2) VIRTUAL,
              `secret` int(11) DEFAULT NULL INVISIBLE,
              `doc` longtext CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT NULL CHECK (json_valid(`doc`)),
              PRIMARY KEY (`id`),
              KEY `by_customer` (`customer`(10))
            ) ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci
             PARTITION BY HASH (`id`)
            PARTITIONS 4""";

    private static SchemaState state(String... statements) {
        SchemaState s = new SchemaState();
        for (String sql : statements) {
            DdlApplier.apply(s, "shop", sql);
        }
        return s;
    }

    private static List<String> names(TableDef t) {
        return t.columns().stream().map(ColumnDef::name).toList();
    }

    @Test
    void showCreateTableOfMariaDb() {
        TableDef t = state(ORDERS).get("shop", "orders");
        assertEquals(List.of("id", "customer", "status", "tags", "amount", "small", "at", "note", "raw", "total",
                "secret", "doc"), names(t));
        assertEquals(List.of("id"), t.primaryKey());
        ColumnDef id = t.columns().get(0);
        assertEquals("int", id.type());
        assertTrue(id.unsigned());
        assertEquals("latin1", t.columns().get(1).charset());
        assertEquals(List.of("new", "paid", "it's shipped"), t.columns().get(2).values());
        assertEquals(List.of("a", "b"), t.columns().get(3).values());
        assertTrue(t.columns().get(4).unsigned(), "ZEROFILL is unsigned");
        assertFalse(t.columns().get(5).unsigned());
        assertEquals(3, t.columns().get(6).decimals());
        assertEquals("utf8mb4", t.columns().get(7).charset(), "the table's charset");
        assertEquals("utf8mb4_general_ci", t.columns().get(7).collation());
        assertEquals("binary", t.columns().get(8).charset());
        assertEquals("utf8mb4_bin", t.columns().get(11).collation());
    }

    @Test
    void alterInOrder() {
        SchemaState s = state(ORDERS,
                "ALTER TABLE orders ADD COLUMN region char(2) NOT NULL AFTER customer, DROP COLUMN tags",
                "alter table `shop`.`orders` modify `small` smallint unsigned first",
                "ALTER TABLE orders CHANGE COLUMN customer buyer varchar(80) CHARACTER SET utf8mb4",
                "ALTER TABLE orders CHANGE status type enum('new','paid','it''s shipped'), CHANGE type status enum('x')",
                "ALTER TABLE orders RENAME COLUMN note TO remark",
                "ALTER TABLE orders ADD COLUMN IF NOT EXISTS region int, DROP COLUMN IF EXISTS nothing",
                "ALTER TABLE orders DROP PRIMARY KEY, ADD PRIMARY KEY (id, region)",
                "ALTER ONLINE TABLE orders ADD INDEX (region), ALGORITHM=INPLACE, LOCK=NONE");
        TableDef t = s.get("shop", "orders");
        assertEquals(List.of("small", "id", "buyer", "region", "status", "amount", "at", "remark", "raw", "total",
                "secret", "doc"), names(t));
        assertEquals("smallint", t.columns().get(0).type());
        assertTrue(t.columns().get(0).unsigned());
        assertEquals("utf8mb4", t.columns().get(2).charset());
        assertEquals("char", t.columns().get(3).type(), "IF NOT EXISTS keeps the column there");
        assertEquals(List.of("id", "region"), t.primaryKey());
        assertEquals(List.of("x"), t.columns().get(4).values(), "CHANGE of names the parser takes for keywords");
        assertEquals(DdlApplier.Outcome.APPLIED, DdlApplier.apply(s, "shop",
                "ALTER TABLE orders DROP FOREIGN KEY `fk_1`, ADD COLUMN extra int"));
        assertEquals("extra", s.get("shop", "orders").columns().get(12).name());
    }

    @Test
    void renameDropLikeAndDatabases() {
        SchemaState s = state(ORDERS, "CREATE TABLE shop.copy LIKE orders", "RENAME TABLE orders TO archive.orders_old",
                "CREATE TABLE IF NOT EXISTS copy (x int)", "CREATE OR REPLACE TABLE t2 (a bigint primary key)",
                "DROP TABLE `t2` /* generated by server */");
        assertNull(s.get("shop", "orders"));
        assertEquals(12, s.get("archive", "orders_old").columns().size());
        assertEquals(12, s.get("shop", "copy").columns().size(), "IF NOT EXISTS keeps the existing table");
        assertNull(s.get("shop", "t2"));
        DdlApplier.apply(s, "", "DROP DATABASE archive");
        assertNull(s.get("archive", "orders_old"));
        assertEquals(1, s.size());
    }

    @Test
    void whatIsNotDdlOrCannotBeReadLeavesTheStateAlone() {
        SchemaState s = state(ORDERS);
        assertEquals(DdlApplier.Outcome.IGNORED, DdlApplier.apply(s, "shop", "BEGIN"));
        assertEquals(DdlApplier.Outcome.IGNORED, DdlApplier.apply(s, "shop", "TRUNCATE TABLE orders"));
        assertEquals(DdlApplier.Outcome.IGNORED, DdlApplier.apply(s, "shop", "INSERT INTO orders VALUES (1)"));
        assertEquals(DdlApplier.Outcome.IGNORED, DdlApplier.apply(s, "shop", "CREATE TEMPORARY TABLE orders (x int)"));
        assertEquals(DdlApplier.Outcome.IGNORED, DdlApplier.apply(s, "shop",
                "CREATE DEFINER=`root`@`localhost` TRIGGER tr BEFORE INSERT ON orders FOR EACH ROW SET @x = 1"));
        assertEquals(DdlApplier.Outcome.UNPARSED, DdlApplier.apply(s, "shop", "ALTER TABLE orders ADD COLUMN ((("));
        assertEquals(12, s.get("shop", "orders").columns().size());
        assertTrue(DdlApplier.isDdl("/* c */ ALTER TABLE x ADD y int"));
        assertFalse(DdlApplier.isDdl("SELECT 'ALTER TABLE x'"));
    }

    @Test
    void tablesWithoutACharsetTakeTheirDatabasesDefault() {
        SchemaState s = new SchemaState();
        s.serverDefault("latin1", "latin1_swedish_ci");
        for (String sql : List.of("CREATE DATABASE `u8` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
                "CREATE SCHEMA IF NOT EXISTS plain", "CREATE TABLE u8.t (a varchar(3), b blob)",
                "CREATE TABLE plain.t (a text)", "ALTER DATABASE plain DEFAULT CHARACTER SET = utf8mb3",
                "CREATE TABLE plain.u (a char(1))")) {
            assertEquals(DdlApplier.Outcome.APPLIED, DdlApplier.apply(s, "", sql), sql);
        }
        assertEquals("utf8mb4_bin", s.get("u8", "t").columns().get(0).collation());
        assertEquals("binary", s.get("u8", "t").columns().get(1).charset());
        assertEquals("latin1", s.get("plain", "t").columns().get(0).charset(), "the server's default");
        assertEquals("utf8mb3", s.get("plain", "u").columns().get(0).charset());
        assertEquals(33, Collations.id("utf8mb3", null));
        assertEquals(46, Collations.id("utf8mb4", "utf8mb4_bin"));
        assertEquals(8, Collations.id(null, "latin1_german1_ci"), "a collation not listed: its charset's default");
    }

    @Test
    void invisibleOnlyInsideQuotesIsKept() {
        SchemaState s = state("CREATE TABLE q (`INVISIBLE` int, c varchar(10) DEFAULT 'INVISIBLE' INVISIBLE)");
        TableDef t = s.get("shop", "q");
        assertEquals(List.of("INVISIBLE", "c"), names(t));
    }

    private static Column col(int i, int type, int meta) {
        return new Column(i, type, meta, true, null, null, -1, null, null, -1, false, true, -1);
    }

    @Test
    void completesWhatMinimalMetadataLacksAndFullMetadataWins() {
        SchemaState s = state("CREATE TABLE t (id bigint unsigned NOT NULL, name varchar(20), e enum('x','y'), "
                + "ts datetime(4), PRIMARY KEY (id)) DEFAULT CHARSET=latin1");
        List<Column> cols = new ArrayList<>(List.of(col(0, ColumnType.LONGLONG, 0), col(1, ColumnType.VARCHAR, 20),
                col(2, ColumnType.STRING, ColumnType.ENUM | 1 << 8), col(3, ColumnType.DATETIME, 0)));
        TableMap bare = new TableMap(7, "shop", "t", cols, List.of(), List.of(), false);
        HistoryTracker tracker = new HistoryTracker(s);
        TableMap done = tracker.complete(bare);
        assertEquals(List.of("id", "name", "e", "ts"), done.columns().stream().map(Column::name).toList());
        assertEquals(List.of(0), done.primaryKey());
        assertTrue(done.column(0).primaryKey());
        assertEquals(Boolean.TRUE, done.column(0).unsigned());
        assertEquals(8, done.column(1).collation(), "latin1");
        assertEquals(List.of("x", "y"), done.column(2).enumValues());
        assertEquals(4, done.column(3).decimals(), "MariaDB's old DATETIME: precision from the definition");

        // FULL metadata: the map's own names and key win
        cols.set(0, new Column(0, ColumnType.LONGLONG, 0, false, "ID", false, -1, null, null, -1, false, true, -1));
        TableMap full = new TableMap(7, "shop", "t", cols, List.of(), List.of(), true);
        TableMap kept = tracker.complete(full);
        assertEquals("ID", kept.column(0).name());
        assertEquals(Boolean.FALSE, kept.column(0).unsigned());
        assertEquals(List.of(), kept.primaryKey());

        // a definition that does not fit (another column count) is not used
        TableMap other = new TableMap(7, "shop", "t", cols.subList(0, 3), List.of(), List.of(), false);
        assertSame(other, tracker.complete(other));
        tracker.onQuery("shop", "ALTER TABLE t DROP COLUMN ts", "b.000001", 400);
        assertEquals("e", tracker.complete(other).column(2).name());
    }
}
