package dev.binlogrelay.server.config;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.ArrayList;
import java.util.List;

/**
 * The relay's YAML configuration. Field names are the YAML keys (snake_case). Unknown keys are errors.
 * {@link ConfigLoader} reads and validates it.
 */
public final class RelayConfig {
    @JsonProperty("server_id")
    public Long serverId;
    @JsonProperty("data_dir")
    public String dataDir;
    @JsonProperty("upstream")
    public Upstream upstream;
    @JsonProperty("downstream")
    public Downstream downstream;
    @JsonProperty("storage")
    public Storage storage = new Storage();
    @JsonProperty("metrics")
    public Metrics metrics;
    /** The Canal server (docs/canal.md); off without this section. */
    @JsonProperty("canal")
    public Canal canal;

    /** {@code canal:}: Canal clients (com.alibaba.otter:canal.client) served over Canal's TCP protocol. */
    public static final class Canal {
        /** host:port the Canal server listens on. */
        public String listen;
        /** The destinations clients may subscribe to; at least one. */
        public List<CanalDestination> destinations;
        /** Users and their clear-text passwords; absent or empty: no authentication. */
        public List<CanalUser> users;
        /** How long a client that has not been seen (subscribe, get, ack) keeps retention off its file. */
        @JsonProperty("hold_files_for")
        public String holdFilesFor = "7d";
        /** The most bytes of entries one batch holds (at least one entry, whatever its size). */
        @JsonProperty("max_batch_bytes")
        public String maxBatchBytes = "16M";
        /** The most Canal client connections at once. */
        @JsonProperty("max_connections")
        public Integer maxConnections = 1024;
        /**
         * The global budget of Canal memory: batches from their first entry until written, and the shared cache of
         * decoded entries (a quarter of it). A get waits while it is spent.
         */
        @JsonProperty("max_pending_bytes")
        public String maxPendingBytes = "256M";
        /**
         * How long a batch's write may make no progress (the client reads nothing) before its connection is closed;
         * 5 s at most while {@code max_pending_bytes} is spent and other clients wait. 0: no bound.
         */
        @JsonProperty("write_timeout")
        public String writeTimeout = "60s";
    }

    public static final class CanalDestination {
        public String name;
        /** The server-side default filter (Canal's regex syntax) for clients that subscribe without one. */
        public String filter;
        /** Where a client never seen before starts: {@code current} (the relay's end) or {@code earliest}. */
        public String start = "current";
    }

    public static final class CanalUser {
        public String user;
        public String password;
    }

    @JsonProperty("schema_history")
    public SchemaHistory schemaHistory;

    /**
     * The schema history row-change readers decode with when the primary writes no FULL metadata
     * (docs/schema-history.md). Absent, or {@code enabled} left out: on when a part that decodes rows needs it.
     */
    public static final class SchemaHistory {
        /** true | false; absent: on when needed (the Canal front end). */
        public Boolean enabled;
        /** Tables in the snapshot of the primary's definitions at most. */
        @JsonProperty("max_tables")
        public Integer maxTables = 10_000;
        /** Bytes of SHOW CREATE TABLE text in the snapshot at most (a size). */
        @JsonProperty("max_bytes")
        public String maxBytes = "64M";
    }

    public static final class Metrics {
        /** host:port of the Prometheus endpoint (GET /metrics). */
        public String listen;
    }

    public static final class Upstream {
        public String host;
        public Integer port;
        /**
         * The candidate primaries ("host:port", port 3306 if left out), in place of host and port: the relay streams
         * from whichever is the primary and follows a failover among them (docs/failover.md).
         */
        public List<String> hosts;
        public String user;
        public String password = "";
        /** earliest | current | FILE:POS | a MariaDB GTID position. */
        public String start = "earliest";
        /** Heartbeat period asked of the primary, seconds. */
        @JsonProperty("heartbeat_period")
        public Double heartbeatPeriod = 5.0;
        /** Reconnect backoff bounds, milliseconds. */
        @JsonProperty("reconnect_min_ms")
        public Long reconnectMinMs = 200L;
        @JsonProperty("reconnect_max_ms")
        public Long reconnectMaxMs = 10_000L;
        @JsonProperty("connect_timeout_ms")
        public Integer connectTimeoutMs = 5_000;
        /** TLS to the primary, as the MySQL client's --ssl-mode: disabled | preferred | required | verify_ca | verify_identity. */
        @JsonProperty("ssl_mode")
        public String sslMode = "preferred";
        /** PEM file of the CA certificate(s) that verify_ca / verify_identity trust (default: the JVM's CAs). */
        @JsonProperty("ssl_ca")
        public String sslCa;
        /**
         * PEM file of the primary's RSA public key for caching_sha2_password over plain TCP; without it the
         * relay asks the primary for its key.
         */
        @JsonProperty("server_public_key")
        public String serverPublicKey;
        /**
         * Be a semi-sync replica of the primary: acknowledge each transaction the primary waits for once it is
         * durable in the store under storage.sync (docs/semi-sync.md).
         */
        @JsonProperty("semi_sync")
        public Boolean semiSync = false;
    }

    public static final class Downstream {
        /** host:port to listen on. */
        public String listen;
        public List<User> users = new ArrayList<>();
        /** Heartbeat period for readers that do not ask for one, seconds (0 = only when asked). */
        @JsonProperty("default_heartbeat_period")
        public Double defaultHeartbeatPeriod = 0.0;
        /** Largest command packet a client may send, bytes. */
        @JsonProperty("max_packet")
        public Long maxPacket = 16L * 1024 * 1024;
        /** Per-reader bytes queued in the socket before the reader is paused. */
        @JsonProperty("write_buffer_high")
        public Integer writeBufferHigh = 4 * 1024 * 1024;
        @JsonProperty("write_buffer_low")
        public Integer writeBufferLow = 1024 * 1024;
        /**
         * Memory all readers' pending writes may hold together, a size (256M); absent: a quarter of the JVM's
         * direct memory, at most 256 MiB.
         */
        @JsonProperty("max_pending_bytes")
        public String maxPendingBytes;
        /** A reader holding pending writes without reading any of them for this long is disconnected (0 = never). */
        @JsonProperty("write_timeout")
        public String writeTimeout = "60s";
        // Limits and hostile clients (see LimitsConfig): sizes in bytes, durations as text (10s, 8h) or seconds.
        /** A connection that has not logged in within this is closed (like MariaDB's connect_timeout). */
        @JsonProperty("connect_timeout")
        public String connectTimeout = "10s";
        /**
         * A dump from a position or GTID the relay has not stored yet (one a snapshot read from the SQL backend, ahead
         * of the relay by its lag) waits this long for it before ERR 1236; "0" refuses at once.
         */
        @JsonProperty("start_wait")
        public String startWait;
        /** A logged-in connection that is not dumping and sends nothing for this long is closed (like wait_timeout). */
        @JsonProperty("idle_timeout")
        public String idleTimeout = "8h";
        /** Connections at once; more are refused with ERR 1040 Too many connections. */
        @JsonProperty("max_connections")
        public Integer maxConnections = 4096;
        /** Connections from one host (an IPv6 /64) that have not logged in yet; more are refused with ERR 1040. */
        @JsonProperty("max_unauthenticated_per_host")
        public Integer maxUnauthenticatedPerHost = 128;
        /** Largest packet a client may send before it has logged in (a handshake response needs a few KiB). */
        @JsonProperty("max_login_packet")
        public Long maxLoginPacket = 64L * 1024;
        /** Failed logins from one host after which its logins are delayed (exponentially); 0 = never. */
        @JsonProperty("auth_failure_threshold")
        public Integer authFailureThreshold = 10;
        /** The longest such delay. */
        @JsonProperty("auth_failure_max_delay")
        public String authFailureMaxDelay = "30s";
        /** Bytes a session's user variables may hold in all (names and values). */
        @JsonProperty("max_user_variables_bytes")
        public Long maxUserVariablesBytes = 1024L * 1024;
        /**
         * Certificate and key for TLS with clients; absent = a self-signed certificate the relay makes once and keeps
         * in data_dir/tls/ (clients verify it with their password, as with MariaDB 11.4); {@code off} = no TLS.
         */
        public Tls tls;
        /**
         * The plugin the handshake announces: mysql_native_password | caching_sha2_password. Default: the
         * upstream flavor's (mysql_native_password for MariaDB and when unknown).
         */
        @JsonProperty("default_auth_plugin")
        public String defaultAuthPlugin;
        /** PEM files of the RSA key pair for caching_sha2_password over plain TCP; generated at start-up if absent. */
        @JsonProperty("rsa_private_key")
        public String rsaPrivateKey;
        @JsonProperty("rsa_public_key")
        public String rsaPublicKey;
        /**
         * A database the relay forwards the read-only statements it does not answer itself to (table reads,
         * SHOW CREATE TABLE, information_schema, snapshot transactions); absent = off (those get ERR 1235).
         */
        @JsonProperty("sql_backend")
        public SqlBackend sqlBackend;
    }

    /** {@code downstream.sql_backend}: the server and account of the per-session backend connections. */
    public static final class SqlBackend {
        public String host;
        public Integer port;
        public String user;
        public String password = "";
        /** TLS to the backend, as upstream.ssl_mode: disabled | preferred | required | verify_ca | verify_identity. */
        @JsonProperty("ssl_mode")
        public String sslMode = "preferred";
        /** PEM file of the CA certificate(s) that verify_ca / verify_identity trust (default: the JVM's CAs). */
        @JsonProperty("ssl_ca")
        public String sslCa;
    }

    public static final class Tls {
        /** {@code downstream.tls: off}: plain TCP only, CLIENT_SSL not announced. */
        @com.fasterxml.jackson.annotation.JsonIgnore
        public boolean off;
        /** PEM file: the server certificate, optionally followed by its chain. */
        public String cert;
        /** PEM file: the certificate's private key (PKCS#8, or PKCS#1 RSA), unencrypted. */
        public String key;
        /** PEM file: CA certificate(s) that client certificates must chain to, when a client presents one. */
        public String ca;

        /** {@code tls: off} (or {@code false}, {@code no}, {@code disabled}); any other word is refused. */
        @com.fasterxml.jackson.annotation.JsonCreator
        public static Tls fromWord(String word) {
            String w = word == null ? "" : word.strip().toLowerCase(java.util.Locale.ROOT);
            if (!List.of("off", "false", "no", "disabled").contains(w)) {
                throw new IllegalArgumentException("'" + word + "' is not off; give off, or cert and key (and ca)");
            }
            Tls t = new Tls();
            t.off = true;
            return t;
        }

        /** {@code tls: false} as a YAML boolean; {@code true} is refused (TLS is on by default: leave the key out). */
        @com.fasterxml.jackson.annotation.JsonCreator
        public static Tls fromBoolean(boolean on) {
            if (on) {
                throw new IllegalArgumentException("true is not a TLS setting: leave downstream.tls out for the generated"
                        + " certificate, or give cert and key");
            }
            return fromWord("off");
        }

        public Tls() {
        }
    }

    public static final class User {
        public String user;
        /** The password in clear; or leave it out and give password_hash. */
        public String password;
        /**
         * Stored hash(es) instead of the password: "*HEX40" (mysql_native_password, as PASSWORD() prints) and/or
         * "$A$005$..." or "0x2441..." (caching_sha2_password, as mysql.user holds it). One string or a list.
         */
        @JsonProperty("password_hash")
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
        public List<String> passwordHash;
        /** mysql_native_password | caching_sha2_password; default: what the handshake announces (or the only one the hash allows). */
        @JsonProperty("auth_plugin")
        public String authPlugin;
        /** Refuse this user over plain TCP. */
        @JsonProperty("require_tls")
        public Boolean requireTls = false;
        /**
         * replication (default): reads binlogs and the variables readers query; admin: also the operator's
         * statements (SHOW SLAVE STATUS, STOP/START SLAVE, CHANGE MASTER TO, PURGE BINARY LOGS, SHOW PROCESSLIST, KILL).
         */
        public String role;
    }

    public static final class Storage {
        /** Hot-tail cache size in bytes. */
        @JsonProperty("cache_bytes")
        public Long cacheBytes = 64L * 1024 * 1024;
        /** Cache of 256 KiB segments of older binlog, shared by readers catching up over the same stretch. */
        @JsonProperty("segment_cache_bytes")
        public Long segmentCacheBytes = 64L * 1024 * 1024;
        /**
         * every_transaction (default): each transaction is fsynced (its bytes, then its index) before readers see
         * it, by a syncer thread that syncs as soon as the previous fsync ends, so the transactions received during
         * one fsync share the next (group commit, as the primary's own). Or a group-commit interval, a duration with ms or s ({@code 10ms},
         * 1 ms to 10 s): appends are written without fsync, the WAL is fsynced at most once per interval, and a
         * transaction becomes visible (and the upstream resume point moves past it) only after the fsync that
         * covers it. Or none: written to the WAL before readers see it but never fsynced (survives a killed relay,
         * not a power loss; the counterpart of the primary's sync_binlog=0).
         */
        public String sync = "every_transaction";
        /** Which old binlog files to purge; absent (or without limits) keeps everything. */
        public Retention retention;
        /**
         * Free space to keep on the data_dir's file system (a size): a write that would leave less stops
         * ingestion with "disk full" until there is room again. Default 256M; 0 turns the check off.
         */
        @JsonProperty("min_free_space")
        public String minFreeSpace = "256M";
        /** RocksDB tuning; absent keys keep the defaults. */
        public RocksDb rocksdb;
    }

    /** {@code storage.rocksdb}: see {@code RocksTuning} for why the defaults are what they are. */
    public static final class RocksDb {
        /** Compression of the upper levels: none (default), lz4, zstd, snappy, zlib, ... */
        public String compression;
        /** Compression of the bottom level, where old binlog spends most of its life, and of blob files: lz4 (default), zstd, ... */
        @JsonProperty("bottommost_compression")
        public String bottommostCompression;
        /** Memtable size of the events column family (a size, at least 1M; default 64M). */
        @JsonProperty("write_buffer")
        public String writeBuffer;
        /** RocksDB block cache for readers far behind the tail (a size; default 32M). */
        @JsonProperty("block_cache")
        public String blockCache;
    }

    /**
     * Retention of whole binlog files, oldest first; the newest file always stays. Sizes and durations are
     * text ({@code 10G}, {@code 7d}; see {@link Quantities}) or plain numbers (bytes, seconds).
     */
    public static final class Retention {
        /** Purge the oldest files while the store holds more than this many bytes. */
        @JsonProperty("max_bytes")
        public String maxBytes;
        /** Purge a file once its last event is older than this. */
        @JsonProperty("max_age")
        public String maxAge;
        /** How often to check (also checked after each new upstream file). */
        @JsonProperty("check_interval")
        public String checkInterval = "10s";
    }
}
