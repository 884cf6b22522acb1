package dev.binlogrelay.testkit;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A test server acting as a stock replica: {@code CHANGE MASTER TO}, {@code SHOW SLAVE STATUS}, waiting to catch up. */
final class Replication {
    private static final long POLL_MILLIS = 50;
    private static final List<String> STATUS_SUMMARY = List.of("Master_Host", "Master_Port", "Using_Gtid",
            "Slave_IO_Running", "Slave_SQL_Running", "Last_IO_Errno", "Last_IO_Error", "Last_SQL_Errno",
            "Last_SQL_Error", "Master_Log_File", "Read_Master_Log_Pos", "Relay_Master_Log_File",
            "Exec_Master_Log_Pos", "Gtid_IO_Pos");

    private final MariaDbServer server;

    Replication(MariaDbServer server) {
        this.server = server;
    }

    void start(String host, int port, String user, String password, ReplicaMode mode, String file, long pos) {
        StringBuilder sql = new StringBuilder("CHANGE MASTER TO MASTER_HOST=").append(quote(host))
                .append(", MASTER_PORT=").append(port)
                .append(", MASTER_USER=").append(quote(user))
                .append(", MASTER_PASSWORD=").append(quote(password))
                .append(", MASTER_CONNECT_RETRY=1, MASTER_HEARTBEAT_PERIOD=1, MASTER_USE_GTID=")
                .append(switch (mode) {
                    case SLAVE_POS -> "slave_pos";
                    case CURRENT_POS -> "current_pos";
                    case FILE_POS -> "no";
                });
        if (mode == ReplicaMode.FILE_POS && file != null) {
            sql.append(", MASTER_LOG_FILE=").append(quote(file)).append(", MASTER_LOG_POS=").append(pos);
        }
        server.execute("STOP SLAVE", sql.toString(), "START SLAVE");
    }

    Map<String, String> status() {
        try (Connection c = server.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW SLAVE STATUS")) {
            Map<String, String> m = new LinkedHashMap<>();
            if (rs.next()) {
                ResultSetMetaData md = rs.getMetaData();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    m.put(md.getColumnLabel(i), rs.getString(i));
                }
            }
            return m;
        } catch (SQLException e) {
            throw new IllegalStateException(server.name() + ": SHOW SLAVE STATUS: " + e.getMessage(), e);
        }
    }

    void awaitGtid(String target, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            server.checkAlive("waiting to reach " + target);
            String mine = server.queryString("SELECT @@gtid_slave_pos");
            if (GtidPositions.covers(mine, target)) {
                return;
            }
            Map<String, String> st = checkedStatus("reach GTID position " + target);
            if (System.nanoTime() > deadline) {
                throw new AssertionError(server.name() + " did not reach GTID position " + target + " within " + timeout
                        + "; @@gtid_slave_pos=" + mine + "; " + summary(st));
            }
            server.pause(POLL_MILLIS);
        }
    }

    void awaitExecuted(String file, long pos, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            server.checkAlive("waiting to execute up to " + file + ":" + pos);
            Map<String, String> st = checkedStatus("execute up to " + file + ":" + pos);
            String execFile = st.get("Relay_Master_Log_File");
            long execPos = Long.parseLong(st.getOrDefault("Exec_Master_Log_Pos", "0"));
            if (execFile != null && !execFile.isEmpty() && compare(execFile, execPos, file, pos) >= 0) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(server.name() + " did not execute up to " + file + ":" + pos + " within "
                        + timeout + "; " + summary(st));
            }
            server.pause(POLL_MILLIS);
        }
    }

    /** SHOW SLAVE STATUS, failing when this is no replica or a replication thread stopped with an error. */
    private Map<String, String> checkedStatus(String goal) {
        Map<String, String> st = status();
        if (st.isEmpty()) {
            throw new AssertionError(server.name() + " is not a replica (SHOW SLAVE STATUS is empty); cannot " + goal);
        }
        boolean ioFailed = "No".equals(st.get("Slave_IO_Running")) && !"0".equals(st.get("Last_IO_Errno"));
        boolean sqlFailed = "No".equals(st.get("Slave_SQL_Running")) && !"0".equals(st.get("Last_SQL_Errno"));
        if (ioFailed || sqlFailed) {
            throw new AssertionError(server.name() + ": replication stopped with an error before it could " + goal
                    + "; " + summary(st));
        }
        return st;
    }

    /** Orders binlog coordinates by file sequence number (the suffix after the last dot), then position. */
    static int compare(String fileA, long posA, String fileB, long posB) {
        int byFile = Long.compare(sequence(fileA), sequence(fileB));
        if (byFile == 0 && !fileA.equals(fileB)) {
            byFile = fileA.compareTo(fileB);
        }
        return byFile != 0 ? byFile : Long.compare(posA, posB);
    }

    private static long sequence(String file) {
        try {
            return Long.parseLong(file.substring(file.lastIndexOf('.') + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String summary(Map<String, String> st) {
        StringBuilder sb = new StringBuilder("SHOW SLAVE STATUS:");
        for (String k : STATUS_SUMMARY) {
            sb.append(' ').append(k).append('=').append(st.get(k)).append(';');
        }
        return sb.toString();
    }

    private static String quote(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "''") + "'";
    }
}
