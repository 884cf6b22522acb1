package dev.binlogrelay.server.admin;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What an operator's statements act on ({@code role: admin} users only): the upstream's status and control, binlog
 * purges and the connections. The SQL layer parses and checks the statements ({@link AdminStatements}); the relay
 * implements this (the wiring, over the upstream client, the store and the downstream server). Thread-safe; each
 * call may block briefly (a purge writes to the store).
 */
public interface AdminControl {
    /** True if {@code user} has {@code role: admin} in {@code downstream.users}. */
    boolean isAdmin(String user);

    /** Where ingestion stands (SHOW SLAVE STATUS / SHOW REPLICA STATUS). */
    UpstreamStatus upstreamStatus();

    /** STOP SLAVE: ingestion pauses (readers keep being served) until {@link #startIngest}, across restarts too. */
    void stopIngest();

    /** START SLAVE: ingestion resumes. */
    void startIngest();

    /**
     * CHANGE MASTER TO MASTER_HOST / MASTER_PORT: the upstream to ingest from from now on, checked like the config's
     * (a store filled from another upstream refuses it unless the operator accepts the change); either may be null
     * (kept). Only while ingestion is stopped, as on a server.
     */
    void changeUpstream(String host, Integer port);

    /** PURGE BINARY LOGS TO {@code file}: the files before it go; a warning text for the client, or empty. */
    Optional<String> purgeTo(String file);

    /** PURGE BINARY LOGS BEFORE {@code time}: the files whose last event is older go. */
    Optional<String> purgeBefore(Instant time);

    /** The logged-in connections, oldest first (SHOW PROCESSLIST). */
    List<Connection> connections();

    /** KILL: closes connection {@code id}; false if there is none. */
    boolean kill(long id);

    /** An operator statement refused: the MySQL error the client gets. */
    final class Refused extends RuntimeException {
        private final int code;
        private final String sqlState;

        public Refused(int code, String sqlState, String message) {
            super(message, null, false, false);
            this.code = code;
            this.sqlState = sqlState;
        }

        public int code() {
            return code;
        }

        public String sqlState() {
            return sqlState;
        }
    }

    /**
     * The upstream side as SHOW SLAVE STATUS reports it.
     *
     * @param ioRunning         "Yes" (streaming), "Connecting" (trying), "No" (stopped by STOP SLAVE, refused, none)
     * @param state             Slave_IO_State: what the relay does now, in words
     * @param file              the last stored file (Master_Log_File), "" when the store is empty
     * @param position          the end of what is stored in it (Read_Master_Log_Pos)
     * @param secondsBehind     Seconds_Behind_Master, null when not streaming
     * @param gtidPosition      MariaDB: the stored GTID position (Gtid_IO_Pos)
     * @param mysqlGtidSet      MySQL: the stored GTID set (Retrieved_Gtid_Set and Executed_Gtid_Set)
     * @param masterServerId    the primary's server_id, 0 if unknown
     * @param masterUuid        the primary's server_uuid (MySQL), "" if unknown
     * @param storing           Slave_SQL_Running: the store takes what arrives (not stopped, no storage error)
     * @param lastStoreError    the storage error that stops ingestion (Last_SQL_Error), "" if none
     * @param storedBytes       Relay_Log_Space: the bytes the store holds
     */
    record UpstreamStatus(String host, int port, String user, String ioRunning, String state, String file, long position,
                          Long secondsBehind, int lastIoErrno, String lastIoError, String gtidPosition,
                          String mysqlGtidSet, long masterServerId, String masterUuid, long connectRetrySeconds,
                          String sslAllowed, boolean storing, String lastStoreError, long storedBytes) {
    }

    /**
     * One logged-in connection.
     *
     * @param serverId   the server_id a reader dumps with, 0 for other connections
     * @param file       where the reader's stream stands (the end of what was handed to its socket), null if not reading
     * @param bytesBehind stored bytes the reader has not been sent yet, -1 if not reading
     * @param bytesSent  binlog bytes sent to the reader so far
     */
    record Connection(long id, String user, String host, String command, long seconds, String state, long serverId,
                      String file, long position, long bytesBehind, long bytesSent) {
    }

    /** No operator control (tests, a relay without one): nobody is an admin. */
    AdminControl NONE = new AdminControl() {
        @Override
        public boolean isAdmin(String user) {
            return false;
        }

        @Override
        public UpstreamStatus upstreamStatus() {
            throw new IllegalStateException("no admin control");
        }

        @Override
        public void stopIngest() {
            throw new IllegalStateException("no admin control");
        }

        @Override
        public void startIngest() {
            throw new IllegalStateException("no admin control");
        }

        @Override
        public void changeUpstream(String host, Integer port) {
            throw new IllegalStateException("no admin control");
        }

        @Override
        public Optional<String> purgeTo(String file) {
            throw new IllegalStateException("no admin control");
        }

        @Override
        public Optional<String> purgeBefore(Instant time) {
            throw new IllegalStateException("no admin control");
        }

        @Override
        public List<Connection> connections() {
            return List.of();
        }

        @Override
        public boolean kill(long id) {
            return false;
        }
    };
}
