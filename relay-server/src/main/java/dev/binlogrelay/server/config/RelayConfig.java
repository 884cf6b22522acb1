package dev.binlogrelay.server.config;

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

    public static final class Metrics {
        /** host:port of the Prometheus endpoint (GET /metrics). */
        public String listen;
    }

    public static final class Upstream {
        public String host;
        public Integer port;
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
    }

    public static final class User {
        public String user;
        public String password;
    }

    public static final class Storage {
        /** Hot-tail cache size in bytes. */
        @JsonProperty("cache_bytes")
        public Long cacheBytes = 64L * 1024 * 1024;
        /** every_transaction (default): each stored transaction is fsynced before readers see it. */
        public String sync = "every_transaction";
    }
}
