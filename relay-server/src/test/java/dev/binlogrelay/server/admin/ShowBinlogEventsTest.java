package dev.binlogrelay.server.admin;

import dev.binlogrelay.core.binlog.ArtificialEvents;
import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.core.gtid.MariaGtid;
import dev.binlogrelay.core.protocol.ErrorCodes;
import dev.binlogrelay.core.protocol.TextResultSet;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SHOW BINLOG EVENTS over a relay holding two small files: parsing, FROM, LIMIT, errors and the bounds. */
class ShowBinlogEventsTest {
    private static final List<String> COLUMNS = List.of("Log_name", "Pos", "Event_type", "Server_id", "End_log_pos", "Info");

    /** Two files: a GTID list then a rotate in the first; three GTID lists in the second. */
    private final StoredFiles files = new StoredFiles();
    private final Sql sql = new Sql(files);

    ShowBinlogEventsTest() {
        files.add("mariadb-bin.000001", gtidList(7, 5), rotate(7, "mariadb-bin.000002"));
        files.add("mariadb-bin.000002", gtidList(8, 5), gtidList(8, 6), gtidList(8, 7));
    }

    @Test
    void withoutInTheOldestFile() {
        TextResultSet rs = sql.rows("SHOW BINLOG EVENTS");
        assertEquals(COLUMNS, rs.columns());
        assertEquals(List.of(
                List.of("mariadb-bin.000001", "4", "Gtid_list", "7", "47", "[0-7-5]"),
                List.of("mariadb-bin.000001", "47", "Rotate", "7", "96", "mariadb-bin.000002;pos=4")), rs.rows());
    }

    @Test
    void inFromAndLimit() {
        assertEquals(List.of("4", "47", "90"), positions("SHOW BINLOG EVENTS IN 'mariadb-bin.000002'"));
        assertEquals(List.of("47", "90"), positions("show binlog events in 'mariadb-bin.000002' from 47"));
        assertEquals(List.of("4", "47", "90"), positions("SHOW BINLOG EVENTS IN 'mariadb-bin.000002' FROM 0"));
        assertEquals(List.of("47"), positions("SHOW BINLOG EVENTS IN 'mariadb-bin.000002' FROM 4 LIMIT 1, 1"));
        assertEquals(List.of("47", "90"), positions("SHOW BINLOG EVENTS IN 'mariadb-bin.000002' LIMIT 2 OFFSET 1"));
        assertEquals(List.of("4"), positions("SHOW BINLOG EVENTS IN 'mariadb-bin.000002' LIMIT 1"));
        assertEquals(List.of("4"), positions("SHOW BINLOG EVENTS IN 'mariadb-bin.000002' LIMIT 0"), "as the server");
        assertEquals(List.of(), positions("SHOW BINLOG EVENTS IN 'mariadb-bin.000002' LIMIT 9, 1"));
        assertEquals(List.of(), positions("SHOW BINLOG EVENTS IN 'mariadb-bin.000002' FROM 133"));
        assertEquals("[0-8-7]", sql.rows("SHOW BINLOG EVENTS IN 'mariadb-bin.000002' FROM 90").rows().get(0).get(5));
    }

    @Test
    void errorsInTheServersWords() {
        assertEquals("Error when executing command SHOW BINLOG EVENTS: Could not find target log",
                sql.error("SHOW BINLOG EVENTS IN 'mariadb-bin.000009'", ShowBinlogEvents.ER_ERROR_WHEN_EXECUTING_COMMAND));
        assertEquals("Error when executing command SHOW BINLOG EVENTS: Wrong offset or I/O error",
                sql.error("SHOW BINLOG EVENTS IN 'mariadb-bin.000002' FROM 5", ShowBinlogEvents.ER_ERROR_WHEN_EXECUTING_COMMAND));
        assertEquals("HY000", sql.error("SHOW BINLOG EVENTS IN 'x'").sqlState());
        sql.error("SHOW BINLOG EVENTS IN", ErrorCodes.ER_PARSE_ERROR);
        sql.error("SHOW BINLOG EVENTS IN mariadb", ErrorCodes.ER_NOT_SUPPORTED_YET);
        sql.error("SHOW BINLOG EVENTS FROM", ErrorCodes.ER_PARSE_ERROR);
        sql.error("SHOW BINLOG EVENTS LIMIT 1,", ErrorCodes.ER_PARSE_ERROR);
        assertEquals(List.of(), new Sql(FakeRelayInfo.empty()).rows("SHOW BINLOG EVENTS").rows(), "an empty store");
    }

    @Test
    void oneStatementReadsABoundedAmount() {
        ShowBinlogEvents fewEvents = new ShowBinlogEvents(files, 2, 1 << 20);
        assertEquals(2, fewEvents.answer(new Statement.ShowBinlogEvents("mariadb-bin.000002", 4, 0, 2)).rows().size());
        SqlException e = org.junit.jupiter.api.Assertions.assertThrows(SqlException.class,
                () -> fewEvents.answer(new Statement.ShowBinlogEvents("mariadb-bin.000002", 4, 0, -1)));
        assertEquals(ShowBinlogEvents.ER_ERROR_WHEN_EXECUTING_COMMAND, e.code());
        assertTrue(e.getMessage().endsWith("reads at most 2 events and 1048576 bytes of them for one SHOW BINLOG EVENTS;"
                + " narrow it with FROM and LIMIT"), e.getMessage());
        ShowBinlogEvents fewBytes = new ShowBinlogEvents(files, 100, 90);
        assertEquals(2, fewBytes.answer(new Statement.ShowBinlogEvents("mariadb-bin.000002", 47, 0, -1)).rows().size());
        org.junit.jupiter.api.Assertions.assertThrows(SqlException.class,
                () -> fewBytes.answer(new Statement.ShowBinlogEvents("mariadb-bin.000002", 4, 0, -1)));
        assertEquals(0, files.open, "every reader is closed, also after an error");
    }

    private List<String> positions(String statement) {
        return sql.rows(statement).rows().stream().map(r -> r.get(1)).toList();
    }

    private static byte[] gtidList(long serverId, long sequence) {
        byte[] e = ArtificialEvents.fakeGtidList(serverId, List.of(new MariaGtid(0, serverId, sequence)), 0, ChecksumAlgorithm.CRC32);
        Events.setFlags(e, 0);
        return e;
    }

    private static byte[] rotate(long serverId, String next) {
        byte[] e = ArtificialEvents.fakeRotate(serverId, next, 4, ChecksumAlgorithm.CRC32);
        Events.setFlags(e, 0);
        return e;
    }

    /** A relay holding files of events in memory, each event's End_log_pos set as a server writes it. */
    private static final class StoredFiles implements RelayInfo {
        private final RelayInfo base = FakeRelayInfo.typical();
        private final TreeMap<String, List<byte[]>> files = new TreeMap<>();
        int open;

        void add(String name, byte[]... events) {
            long position = 4;
            for (byte[] e : events) {
                position += e.length;
                Events.setLogPos(e, position);
                Events.fixCrc(e);
            }
            files.put(name, List.of(events));
        }

        @Override
        public FileEvents binlogEvents(String file, long position) throws BinlogEventsException {
            List<byte[]> events = files.get(file);
            if (events == null) {
                throw new BinlogEventsException("Could not find target log");
            }
            List<Long> starts = new ArrayList<>();
            long p = 4;
            for (byte[] e : events) {
                starts.add(p);
                p += e.length;
            }
            int index = starts.indexOf(position);
            if (index < 0 && position != p) {
                throw new BinlogEventsException("Wrong offset or I/O error");
            }
            int first = index < 0 ? events.size() : index;
            open++;
            return new FileEvents() {
                private int next = first;

                @Override
                public ChecksumAlgorithm checksum() {
                    return ChecksumAlgorithm.CRC32;
                }

                @Override
                public long position() {
                    return next < starts.size() ? starts.get(next) : starts.get(starts.size() - 1) + events.get(events.size() - 1).length;
                }

                @Override
                public byte[] next() {
                    return next < events.size() ? events.get(next++) : null;
                }

                @Override
                public void close() {
                    open--;
                }
            };
        }

        @Override
        public List<BinlogFile> binlogFiles() {
            return files.entrySet().stream().map(f -> new BinlogFile(f.getKey(), 4L + f.getValue().stream()
                    .mapToLong(e -> e.length).sum())).toList();
        }

        @Override public long serverId() { return base.serverId(); }
        @Override public String serverVersion() { return base.serverVersion(); }
        @Override public String binlogChecksum() { return base.binlogChecksum(); }
        @Override public String gtidBinlogPos() { return base.gtidBinlogPos(); }
        @Override public long gtidDomainId() { return base.gtidDomainId(); }
        @Override public Optional<BinlogFile> masterStatus() { return base.masterStatus(); }
        @Override public List<RegisteredReplica> replicas() { return base.replicas(); }
        @Override public int port() { return base.port(); }
    }
}
