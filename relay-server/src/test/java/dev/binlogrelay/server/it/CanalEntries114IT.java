package dev.binlogrelay.server.it;

import com.alibaba.otter.canal.protocol.CanalEntry;
import dev.binlogrelay.testkit.MariaDbLine;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link CanalOracleIT}'s workload on a MariaDB 11.4 primary, which Canal 1.1.7 cannot read (its QUERY parser stops
 * at MariaDB 11's status variable 131): no oracle, so the relay's entries are checked against what the workload
 * wrote: every DDL typed and named, every rows entry with the table's column names (FULL metadata) and the
 * lengths of its UCA-14 utf8mb4 columns; and {@link #valuesWhereCanalIsWrong} as on 10.11.
 */
class CanalEntries114IT extends CanalOracleIT {
    @Override
    MariaDbLine line() {
        return MariaDbLine.MARIADB_11_4;
    }

    @Override
    boolean withCanal() {
        return false;
    }

    @Override
    @Test
    void entriesMatchCanal() throws Exception {
        List<String> ddl = new ArrayList<>();
        int rows = 0;
        List<String> names = columns().stream().map(AllTypes.Col::name).toList();
        for (CanalEntry.Entry e : relayEntries()) {
            if (e.getEntryType() != CanalEntry.EntryType.ROWDATA) {
                continue;
            }
            CanalEntry.Header h = e.getHeader();
            CanalEntry.RowChange rc = CanalEntry.RowChange.parseFrom(e.getStoreValue());
            if (rc.getIsDdl()) {
                ddl.add(h.getEventType() + " " + h.getSchemaName() + "." + h.getTableName());
            } else if (h.getTableName().equals("t_full") && rc.hasTableId()) {
                rows++;
                for (CanalEntry.RowData r : rc.getRowDatasList()) {
                    for (CanalEntry.Column c : r.getAfterColumnsCount() > 0 ? r.getAfterColumnsList()
                            : r.getBeforeColumnsList()) {
                        List<String> now = new ArrayList<>(names);
                        if (h.getLogfileOffset() >= alteredAt.get("t_full")) {
                            now.add(1, "added"); // the ALTER added it at index 1
                        }
                        assertEquals(now.get(c.getIndex()), c.getName(), "FULL metadata names column " + c.getIndex());
                        if (c.getName().equals("vc")) {
                            assertEquals("varchar(300)", c.getMysqlType(), "utf8mb4 (UCA 14) is 4 bytes a character");
                        }
                        if (c.getName().equals("id")) {
                            assertTrue(c.getIsKey());
                        }
                    }
                }
            }
        }
        assertTrue(rows >= 5, "t_full's inserts, updates, delete, after the ALTER too: " + rows);
        assertEquals(List.of("QUERY d.", "CREATE d.t_full", "ALTER d.t_full", "CREATE d.t_minimal", "ALTER d.t_minimal",
                "CREATE d.k", "CINDEX d.k", "CINDEX d.k", "DINDEX d.k", "DINDEX d.k", "ALTER d.k", "RENAME d.k2",
                "RENAME d.k3", "CREATE d.k4", "TRUNCATE d.k4", "QUERY e.", "CREATE e.x", "QUERY e.", "ERASE d.k3"), ddl);
    }
}
