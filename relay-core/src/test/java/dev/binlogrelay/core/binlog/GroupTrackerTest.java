package dev.binlogrelay.core.binlog;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static dev.binlogrelay.core.binlog.ChecksumAlgorithm.CRC32;
import static dev.binlogrelay.core.binlog.ChecksumAlgorithm.NONE;
import static dev.binlogrelay.core.binlog.GroupTracker.END;
import static dev.binlogrelay.core.binlog.GroupTracker.START;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class GroupTrackerTest {
    /** Fixtures that cannot be split into events (intentionally cut short). */
    private static final Set<String> TRUNCATED = Set.of("binlog_truncated_event.000001", "binlog_truncated_prev_gtid_event.000001");
    /** A fixture that ends inside a transaction (a capture cut after BEGIN). */
    private static final String ENDS_INSIDE_A_GROUP = "mysql-bin.aurora-padding";

    /**
     * Classifies every event with one tracker and checks the flags nest: an event outside a group carries START
     * (alone or with END), an event inside one never does, END closes it, and {@link GroupTracker#insideGroup}
     * agrees. Returns the groups, events separated by spaces and groups by " | "; a group still open at the end is
     * followed by " ...".
     */
    static String groups(List<byte[]> events, ChecksumAlgorithm alg) {
        GroupTracker tracker = new GroupTracker();
        List<String> groups = new ArrayList<>();
        List<String> open = null;
        int openedAt = -1;
        for (int i = 0; i < events.size(); i++) {
            byte[] e = events.get(i);
            int flags = tracker.classify(e, alg);
            String name = name(e, alg);
            assertEquals(0, flags & ~(START | END), "unknown flags on event " + i);
            if (open == null) {
                if ((flags & START) == 0) {
                    fail("event " + i + " (" + name + ") is outside any group but does not START one");
                }
                open = new ArrayList<>();
                openedAt = i;
            } else if ((flags & START) != 0) {
                fail("event " + i + " (" + name + ") STARTs a group while the one from event " + openedAt + " is open: " + open);
            }
            open.add(name);
            if ((flags & END) != 0) {
                groups.add(String.join(" ", open));
                open = null;
            }
            assertEquals(open != null, tracker.insideGroup(), "insideGroup() after event " + i);
        }
        String all = String.join(" | ", groups);
        return open == null ? all : all + " | " + String.join(" ", open) + " ...";
    }

    /** The event type's name; for a query, "Q:" and the statement's first word. */
    private static String name(byte[] e, ChecksumAlgorithm alg) {
        if (Events.type(e) != EventType.QUERY) {
            return EventType.name(Events.type(e));
        }
        String q = GroupTracker.queryText(e, alg, 64);
        return "Q:" + (q == null ? "?" : q.trim().split("[\\s(]", 2)[0]);
    }

    private static String groupsOfResource(String name) {
        BinlogFiles.Parsed f = BinlogFiles.parseResource(name);
        return groups(f.events(), f.checksum());
    }

    private static String groupsOfFixture(String relative) {
        BinlogFiles.Parsed f = BinlogFiles.parseFixture(relative);
        return groups(f.events(), f.checksum());
    }

    // --- real files ---

    @Test
    void mariaDbRowEventGroups() {
        assertEquals("FORMAT_DESCRIPTION | GTID_LIST | BINLOG_CHECKPOINT"
                        + " | MARIA_GTID ANNOTATE_ROWS TABLE_MAP WRITE_ROWS_V1 XID"
                        + " | MARIA_GTID ANNOTATE_ROWS TABLE_MAP WRITE_ROWS_V1 XID",
                groupsOfFixture("blackbeam-rust_mysql_common/mariadb-bin.000001"));
    }

    @Test
    void mariaDbStatementGroupsHaveNoBegin() {
        // MariaDB writes no BEGIN: a GTID without FL_STANDALONE opens the group; DDL and XA COMMIT are standalone
        assertEquals("FORMAT_DESCRIPTION | GTID_LIST | BINLOG_CHECKPOINT | BINLOG_CHECKPOINT"
                        + " | MARIA_GTID Q:create"
                        + " | MARIA_GTID Q:create"
                        + " | MARIA_GTID Q:insert XID"
                        + " | MARIA_GTID Q:insert Q:insert XID"
                        + " | MARIA_GTID Q:create"
                        + " | MARIA_GTID Q:insert Q:COMMIT"
                        + " | MARIA_GTID Q:insert Q:XA XA_PREPARE"
                        + " | MARIA_GTID Q:XA"
                        + " | MARIA_GTID Q:create"
                        + " | ROTATE",
                groupsOfResource("mariadb-10.11-mixed.000002"));
    }

    @Test
    void mariaDbCompressedDdlEndsItsGroup() {
        assertEquals("FORMAT_DESCRIPTION | GTID_LIST | BINLOG_CHECKPOINT | BINLOG_CHECKPOINT"
                        + " | MARIA_GTID TYPE_165"
                        + " | MARIA_GTID Q:insert XID"
                        + " | ROTATE",
                groupsOfResource("mariadb-10.11-compressed.000006"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
            "blackbeam-rust_mysql_common/binlog_transaction_with_GTID.000001;"
                    + "FORMAT_DESCRIPTION | PREVIOUS_GTIDS | GTID Q:CREATE | GTID Q:BEGIN Q:INSERT Q:COMMIT | GTID Q:DROP | STOP",
            "rust-us-mysql-cdc-rs/5.7/05_intvar/log.bin;"
                    + "FORMAT_DESCRIPTION | PREVIOUS_GTIDS | GTID Q:DROP | GTID Q:CREATE | GTID Q:BEGIN INTVAR Q:INSERT XID | ROTATE",
            "rust-us-mysql-cdc-rs/5.7/17_18_load/log.bin;"
                    + "FORMAT_DESCRIPTION | PREVIOUS_GTIDS | GTID Q:BEGIN TYPE_17 TYPE_18 XID | ROTATE",
            "blackbeam-rust_mysql_common/binlog_transaction_with_anonymous_GTID.000001;"
                    + "FORMAT_DESCRIPTION | PREVIOUS_GTIDS | ANONYMOUS_GTID Q:CREATE | ANONYMOUS_GTID Q:BEGIN Q:INSERT XID | ROTATE",
            "blackbeam-rust_mysql_common/transaction_compression.000001;"
                    + "FORMAT_DESCRIPTION | PREVIOUS_GTIDS | ANONYMOUS_GTID TRANSACTION_PAYLOAD | ROTATE",
            "osheroff-mysql-binlog-connector-java/mysql-bin.compressed;"
                    + "FORMAT_DESCRIPTION | PREVIOUS_GTIDS | ANONYMOUS_GTID TRANSACTION_PAYLOAD | ROTATE",
            "blackbeam-rust_mysql_common/binlog_transaction_with_GTID_TAG.000001;"
                    + "FORMAT_DESCRIPTION | PREVIOUS_GTIDS | GTID_TAGGED Q:BEGIN TABLE_MAP WRITE_ROWS_V2 XID | ROTATE",
            "blackbeam-rust_mysql_common/rpl_unfiltered_hidden_gcol.000001;"
                    + "FORMAT_DESCRIPTION | PREVIOUS_GTIDS | ROTATE | FORMAT_DESCRIPTION | ROTATE | ANONYMOUS_GTID Q:CREATE"
                    + " | ANONYMOUS_GTID Q:ALTER | ANONYMOUS_GTID Q:BEGIN TABLE_MAP WRITE_ROWS_V2 XID | STOP",
            "osheroff-mysql-binlog-connector-java/mysql-bin.aurora-padding;"
                    + "FORMAT_DESCRIPTION | PREVIOUS_GTIDS | ANONYMOUS_GTID TYPE_100 Q:BEGIN ...",
    })
    void mysqlGroups(String fixture, String expected) {
        assertEquals(expected, groupsOfFixture(fixture));
    }

    @TestFactory
    Stream<DynamicTest> everyFixtureNestsAndEndsOutsideAGroup() {
        return BinlogFiles.fixtureFiles().stream()
                .filter(p -> !TRUNCATED.contains(p.getFileName().toString()))
                .map(p -> DynamicTest.dynamicTest(p.toString(), () -> {
                    String groups = groupsOfFixture(p.toString().replace('\\', '/'));
                    assertEquals(!p.getFileName().toString().equals(ENDS_INSIDE_A_GROUP), !groups.endsWith(" ..."), groups);
                }));
    }

    @Test
    void mariaDbResourcesNestAndEndOutsideAGroup() {
        for (String r : List.of("mariadb-10.11-mixed.000002", "mariadb-10.11-active.000003", "mariadb-10.11-compressed.000006")) {
            assertFalse(groupsOfResource(r).endsWith(" ..."), r);
        }
    }

    // --- the rules one at a time, on synthetic events ---

    private static String groups(byte[]... events) {
        return groups(List.of(events), CRC32);
    }

    private static byte[] q(String sql) {
        return TestEvents.query(sql, CRC32);
    }

    private static byte[] ev(int type) {
        return TestEvents.ofType(type, CRC32);
    }

    @Test
    void mysqlTransaction() {
        assertEquals("GTID Q:BEGIN TABLE_MAP WRITE_ROWS_V2 TABLE_MAP UPDATE_ROWS_V2 XID | GTID Q:BEGIN Q:INSERT Q:COMMIT",
                groups(ev(EventType.GTID), q("BEGIN"), ev(EventType.TABLE_MAP), ev(EventType.WRITE_ROWS_V2),
                        ev(EventType.TABLE_MAP), ev(EventType.UPDATE_ROWS_V2), ev(EventType.XID),
                        ev(EventType.GTID), q("BEGIN"), q("INSERT INTO t VALUES (1)"), q("COMMIT")));
    }

    @Test
    void ddlAfterAGtidIsAGroupOfItsOwnEvenAfterIntvar() {
        assertEquals("GTID Q:CREATE | ANONYMOUS_GTID INTVAR USER_VAR Q:CREATE",
                groups(ev(EventType.GTID), q("CREATE TABLE t (a INT)"),
                        ev(EventType.ANONYMOUS_GTID), ev(EventType.INTVAR), ev(EventType.USER_VAR), q("CREATE TABLE u SELECT 1")));
    }

    @Test
    void rollbackEndsATransaction() {
        assertEquals("GTID Q:BEGIN Q:INSERT Q:ROLLBACK | Q:BEGIN Q:INSERT Q:rollback",
                groups(ev(EventType.GTID), q("BEGIN"), q("INSERT INTO t VALUES (1)"), q("ROLLBACK"),
                        q("BEGIN"), q("INSERT INTO t VALUES (1)"), q("rollback")));
    }

    @Test
    void mysqlXaPrepareAndCommitAreTwoGroups() {
        assertEquals("GTID Q:XA TABLE_MAP WRITE_ROWS_V2 Q:XA XA_PREPARE | GTID Q:XA",
                groups(ev(EventType.GTID), q("XA START X'7831',X'',1"), ev(EventType.TABLE_MAP), ev(EventType.WRITE_ROWS_V2),
                        q("XA END X'7831',X'',1"), ev(EventType.XA_PREPARE), ev(EventType.GTID), q("XA COMMIT X'7831',X'',1")));
    }

    @Test
    void compressedTransactionIsOneGroup() {
        assertEquals("ANONYMOUS_GTID TRANSACTION_PAYLOAD | GTID TRANSACTION_PAYLOAD",
                groups(ev(EventType.ANONYMOUS_GTID), ev(EventType.TRANSACTION_PAYLOAD),
                        ev(EventType.GTID), ev(EventType.TRANSACTION_PAYLOAD)));
    }

    @Test
    void withoutGtidsBeginOpensAndEverythingElseStandsAlone() {
        assertEquals("FORMAT_DESCRIPTION | Q:CREATE | Q:begin TABLE_MAP WRITE_ROWS_V1 XID | Q:BEGIN Q:INSERT Q:commit | ROTATE",
                groups(ev(EventType.FORMAT_DESCRIPTION), q("CREATE TABLE t (a INT)"),
                        q("begin"), ev(EventType.TABLE_MAP), ev(EventType.WRITE_ROWS_V1), ev(EventType.XID),
                        q("BEGIN"), q("INSERT INTO t VALUES (1)"), q("commit"), ev(EventType.ROTATE)));
    }

    @Test
    void mariaDbTransactionalGtidOpensATransactionWithoutBegin() {
        assertEquals("MARIA_GTID Q:INSERT Q:UPDATE XID | MARIA_GTID Q:INSERT Q:COMMIT | MARIA_GTID Q:CREATE",
                groups(TestEvents.mariaGtidTrans(1, CRC32), q("INSERT INTO t VALUES (1)"), q("UPDATE t SET a = 2"), ev(EventType.XID),
                        TestEvents.mariaGtidTrans(2, CRC32), q("INSERT INTO myisam_t VALUES (1)"), q("COMMIT"),
                        TestEvents.mariaGtidStandalone(3, CRC32), q("CREATE TABLE t2 (a INT)")));
    }

    @Test
    void mariaDbStandaloneGtidWithACompressedQuery() {
        assertEquals("MARIA_GTID TYPE_165 | MARIA_GTID ANNOTATE_ROWS TABLE_MAP WRITE_ROWS_V1 XID",
                groups(TestEvents.mariaGtidStandalone(1, CRC32), ev(EventType.MARIA_QUERY_COMPRESSED),
                        TestEvents.mariaGtidTrans(2, CRC32), ev(EventType.MARIA_ANNOTATE_ROWS), ev(EventType.TABLE_MAP),
                        ev(EventType.WRITE_ROWS_V1), ev(EventType.XID)));
    }

    @Test
    void resetForgetsAHalfReadGroup() {
        GroupTracker t = new GroupTracker();
        assertEquals(START, t.classify(ev(EventType.GTID), CRC32));
        assertEquals(0, t.classify(q("BEGIN"), CRC32));
        assertTrue(t.insideGroup());
        t.reset();
        assertFalse(t.insideGroup());
        assertEquals(START, t.classify(ev(EventType.GTID), CRC32));
    }

    @Test
    void isGtidCoversEveryGtidType() {
        for (int type : new int[] {EventType.GTID, EventType.ANONYMOUS_GTID, EventType.GTID_TAGGED, EventType.MARIA_GTID}) {
            assertTrue(GroupTracker.isGtid(type), EventType.name(type));
        }
        assertFalse(GroupTracker.isGtid(EventType.PREVIOUS_GTIDS));
        assertFalse(GroupTracker.isGtid(EventType.MARIA_GTID_LIST));
    }

    // --- queryText ---

    @Test
    void queryTextSkipsStatusVariablesAndDatabaseAndTheCrc() {
        assertEquals("INSERT INTO t VALUES (1)", GroupTracker.queryText(TestEvents.query("db", "INSERT INTO t VALUES (1)", CRC32), CRC32, 100));
        assertEquals("INSERT INTO t VALUES (1)", GroupTracker.queryText(TestEvents.query("", "INSERT INTO t VALUES (1)", NONE), NONE, 100));
        assertEquals("INSERT", GroupTracker.queryText(TestEvents.query("db", "INSERT INTO t VALUES (1)", CRC32), CRC32, 6));
    }

    @Test
    void queryTextOfAMalformedBodyIsNull() {
        assertNull(GroupTracker.queryText(TestEvents.event(EventType.QUERY, new byte[12], NONE), NONE, 10), "body too short");
        byte[] body = new byte[20];
        body[11] = (byte) 200; // status_vars_len beyond the event
        assertNull(GroupTracker.queryText(TestEvents.event(EventType.QUERY, body, NONE), NONE, 10));
    }

    @Test
    void queryTextOfRealEvents() {
        List<byte[]> events = BinlogFiles.parseResource("mariadb-10.11-mixed.000002").events();
        List<String> statements = new ArrayList<>();
        for (byte[] e : events) {
            if (Events.type(e) == EventType.QUERY) {
                statements.add(GroupTracker.queryText(e, CRC32, 1000));
            }
        }
        assertEquals(List.of("create database d", "create table t(a int primary key) engine=innodb",
                "insert into t values (1)", "insert into t values (2)", "insert into t values(3)",
                "create table m(a int) engine=myisam", "insert into m values (1)", "COMMIT",
                "insert into t values (10)", "XA END X'7831',X'',1", "XA COMMIT X'7831',X'',1",
                "create table c engine=innodb select * from t"), statements);
    }
}
