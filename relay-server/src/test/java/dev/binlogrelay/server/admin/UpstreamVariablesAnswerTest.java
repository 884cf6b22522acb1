package dev.binlogrelay.server.admin;

import dev.binlogrelay.core.protocol.ErrorCodes;
import dev.binlogrelay.core.protocol.TextResultSet;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Issue 12: with the upstream's variables learned, the relay answers them, except the ones it owns. */
class UpstreamVariablesAnswerTest {
    /** {@link FakeRelayInfo#typical} whose upstream listed {@code learned} at its last login. */
    private static Sql learned(Map<String, String> learned) {
        FakeRelayInfo base = FakeRelayInfo.typical();
        RelayInfo info = new RelayInfo() {
            @Override public long serverId() { return base.serverId(); }
            @Override public String serverVersion() { return base.serverVersion(); }
            @Override public String binlogChecksum() { return base.binlogChecksum(); }
            @Override public String gtidBinlogPos() { return base.gtidBinlogPos(); }
            @Override public long gtidDomainId() { return base.gtidDomainId(); }
            @Override public List<BinlogFile> binlogFiles() { return base.binlogFiles(); }
            @Override public Optional<BinlogFile> masterStatus() { return base.masterStatus(); }
            @Override public List<RegisteredReplica> replicas() { return base.replicas(); }
            @Override public int port() { return base.port(); }
            @Override public Map<String, String> upstreamVariables() { return learned; }
        };
        return new Sql(info);
    }

    private static Map<String, String> primary() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("server_id", "1");
        m.put("port", "3306");
        m.put("read_only", "OFF");
        m.put("gtid_binlog_pos", "0-1-99");
        m.put("gtid_strict_mode", "ON");
        m.put("binlog_row_metadata", "FULL");
        m.put("binlog_annotate_row_events", "OFF");
        m.put("character_set_server", "latin1");
        m.put("collation_server", "latin1_swedish_ci");
        m.put("character_set_database", "latin1");
        m.put("max_allowed_packet", "33554432");
        m.put("query_cache_type", "ON");
        m.put("wsrep_on", "OFF");
        m.put("version_compile_os", "Linux");
        return m;
    }

    @Test
    void theUpstreamsValuesAreAnswered() {
        Sql sql = learned(primary());
        assertEquals("1", sql.scalar("SELECT @@gtid_strict_mode"), "a boolean: 1/0 in SELECT");
        assertEquals("ON", sql.shown("SHOW GLOBAL VARIABLES LIKE 'gtid_strict_mode'"));
        assertEquals("FULL", sql.scalar("SELECT @@global.binlog_row_metadata"));
        assertEquals("0", sql.scalar("SELECT @@binlog_annotate_row_events"));
        assertEquals("latin1", sql.scalar("SELECT @@character_set_server"));
        assertEquals("latin1_swedish_ci", sql.scalar("SELECT @@collation_server"));
        assertEquals("latin1", sql.shown("SHOW SESSION VARIABLES LIKE 'character_set_database'"));
        assertEquals("33554432", sql.scalar("SELECT @@max_allowed_packet"), "the upstream's, not downstream.max_packet");
        assertEquals("ON", sql.scalar("SELECT @@query_cache_type"), "an enumeration keeps its word");
        assertEquals("0", sql.scalar("SELECT @@wsrep_on"));
    }

    @Test
    void theRelayOwnsItsIdentityPositionAndLimits() {
        Sql sql = learned(primary());
        assertEquals("1001", sql.scalar("SELECT @@server_id"));
        assertEquals("0-1-42", sql.scalar("SELECT @@gtid_binlog_pos"), "the stored position, not the primary's");
        assertEquals("0-1-42", sql.scalar("SELECT @@gtid_current_pos"));
        assertEquals("1", sql.scalar("SELECT @@read_only"));
        assertEquals("ON", sql.shown("SHOW VARIABLES LIKE 'read_only'"));
        assertEquals("binlog-relay", sql.scalar("SELECT @@version_comment"));
        assertEquals("28800", sql.scalar("SELECT @@wait_timeout"));
    }

    @Test
    void onlyTheUpstreamsNamesExist() {
        Sql sql = learned(primary());
        sql.error("SELECT @@server_uuid", ErrorCodes.ER_UNKNOWN_SYSTEM_VARIABLE);
        sql.error("SELECT @@binlog_row_image", ErrorCodes.ER_UNKNOWN_SYSTEM_VARIABLE); // this primary did not list it
        TextResultSet all = sql.rows("SHOW GLOBAL VARIABLES");
        List<String> names = all.rows().stream().map(r -> r.get(0)).toList();
        for (String name : primary().keySet()) {
            assertEquals(1, names.stream().filter(name::equals).count(), name);
        }
        assertEquals(names.stream().sorted().toList(), names, "by name");
        assertEquals(List.of("gtid_binlog_pos", "gtid_binlog_state", "gtid_current_pos", "gtid_slave_pos", "gtid_strict_mode"),
                names.stream().filter(n -> n.startsWith("gtid")).toList(), "the relay's GTID state with the primary's names");
    }
}
