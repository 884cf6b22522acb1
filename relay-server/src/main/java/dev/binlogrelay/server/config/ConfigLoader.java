package dev.binlogrelay.server.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.binlogrelay.core.flavor.StartPosition;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * Reads a YAML config and checks what the config can judge alone (keys present, numbers in range, addresses,
 * sizes, durations, {@code upstream.start}), failing with one line that names the key. What a section means to the
 * part that uses it (credentials, TLS and key files, limits, store options) the wiring checks when it turns the
 * section into that part's settings ({@code dev.binlogrelay.server.wiring.ConfigCheck}); this package knows no
 * part of the relay.
 */
public final class ConfigLoader {
    private ConfigLoader() {
    }

    public static RelayConfig load(Path file) {
        if (!Files.isReadable(file)) {
            throw new ConfigException("config file " + file + " cannot be read");
        }
        byte[] yaml;
        try {
            yaml = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ConfigException("config file " + file + " cannot be read: " + e.getMessage());
        }
        RelayConfig config = parse(yaml, file);
        validate(config, file);
        return config;
    }

    /**
     * The config in {@code yaml} (the bytes of {@code file}) as written, before {@link #validate}: unknown keys, values
     * of the wrong type and YAML errors are refused here.
     */
    static RelayConfig parse(byte[] yaml, Path file) {
        ObjectMapper mapper = new ObjectMapper(new YAMLFactory())
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        RelayConfig config;
        try {
            config = mapper.readValue(yaml, RelayConfig.class);
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigException(file + ": unknown key '" + path(e) + "'");
        } catch (JsonMappingException e) {
            throw new ConfigException(file + ": bad value for '" + path(e) + "': " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new ConfigException(file + ": not valid YAML: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException("config file " + file + " cannot be read: " + e.getMessage());
        }
        if (config == null) {
            throw new ConfigException(file + ": the file is empty");
        }
        return config;
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    static void validate(RelayConfig c, Path file) {
        require(c.serverId != null, file, "server_id");
        if (c.serverId < 1 || c.serverId > 0xFFFFFFFFL) {
            throw new ConfigException(file + ": server_id must be between 1 and 4294967295, not " + c.serverId);
        }
        require(c.dataDir != null && !c.dataDir.isBlank(), file, "data_dir");
        Path dataDir;
        try {
            dataDir = Path.of(c.dataDir);
        } catch (java.nio.file.InvalidPathException e) {
            throw new ConfigException(file + ": bad value for 'data_dir': " + e.getMessage());
        }
        checkDataDir(dataDir, file);
        if (c.upstream != null) {
            RelayConfig.Upstream u = c.upstream;
            if (u.hosts != null) {
                checkHosts(u, file);
            } else {
                require(u.host != null && !u.host.isBlank(), file, "upstream.host");
                require(u.port != null, file, "upstream.port");
                checkPort(u.port, file, "upstream.port");
            }
            require(u.user != null && !u.user.isBlank(), file, "upstream.user");
            if (u.password == null) {
                u.password = "";
            }
            require(u.start != null && !u.start.isBlank(), file, "upstream.start");
            try {
                StartPosition.parse(u.start);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(file + ": bad value for 'upstream.start': " + e.getMessage());
            }
            if (u.heartbeatPeriod == null || !(u.heartbeatPeriod >= 0 && u.heartbeatPeriod <= 4294967)) { // NaN too
                throw new ConfigException(file + ": upstream.heartbeat_period must be between 0 and 4294967 seconds");
            }
            if (u.semiSync == null) {
                u.semiSync = false;
            }
        }
        require(c.downstream != null, file, "downstream");
        require(c.downstream.listen != null && !c.downstream.listen.isBlank(), file, "downstream.listen");
        try {
            ListenAddress.parse(c.downstream.listen);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ": bad value for 'downstream.listen': " + e.getMessage());
        }
        Double hb = c.downstream.defaultHeartbeatPeriod;
        if (hb == null || !(hb >= 0 && hb <= 4294967)) { // NaN too
            throw new ConfigException(file + ": downstream.default_heartbeat_period must be between 0 and 4294967 seconds");
        }
        require(c.downstream.users != null && !c.downstream.users.isEmpty(), file, "downstream.users");
        for (int i = 0; i < c.downstream.users.size(); i++) {
            RelayConfig.User user = c.downstream.users.get(i);
            require(user != null && user.user != null && !user.user.isBlank(), file, "downstream.users[" + i + "].user");
        }
        if (c.downstream.sqlBackend != null) {
            RelayConfig.SqlBackend b = c.downstream.sqlBackend;
            require(b.host != null && !b.host.isBlank(), file, "downstream.sql_backend.host");
            require(b.port != null, file, "downstream.sql_backend.port");
            checkPort(b.port, file, "downstream.sql_backend.port");
            require(b.user != null && !b.user.isBlank(), file, "downstream.sql_backend.user");
            if (b.password == null) {
                b.password = "";
            }
            require(b.sslMode != null && !b.sslMode.isBlank(), file, "downstream.sql_backend.ssl_mode");
        }
        if (c.metrics != null) {
            require(c.metrics.listen != null && !c.metrics.listen.isBlank(), file, "metrics.listen");
            try {
                ListenAddress.parse(c.metrics.listen);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(file + ": bad value for 'metrics.listen': " + e.getMessage());
            }
        }
        if (c.canal != null) {
            CanalSection.check(c.canal, file);
        }
        if (c.storage == null) {
            c.storage = new RelayConfig.Storage();
        }
        if (c.storage.retention != null) {
            checkRetention(c.storage.retention, file);
        }
        if (c.schemaHistory != null) {
            RelayConfig.SchemaHistory h = c.schemaHistory;
            if (h.maxTables == null || h.maxTables < 1) {
                throw new ConfigException(file + ": schema_history.max_tables must be at least 1");
            }
            require(h.maxBytes != null, file, "schema_history.max_bytes");
            if (parse(file, "schema_history.max_bytes", () -> Quantities.bytes(h.maxBytes)) < 1024) {
                throw new ConfigException(file + ": schema_history.max_bytes must be at least 1K");
            }
        }
    }

    /** upstream.hosts: at least one "host:port", no duplicates, and not together with upstream.host/port. */
    private static void checkHosts(RelayConfig.Upstream u, Path file) {
        if (u.host != null || u.port != null) {
            throw new ConfigException(file + ": upstream.hosts replaces upstream.host and upstream.port; give either"
                    + " the list or the one host, not both");
        }
        if (u.hosts.isEmpty()) {
            throw new ConfigException(file + ": upstream.hosts is empty; list the candidate primaries as \"host:port\"");
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < u.hosts.size(); i++) {
            String key = "upstream.hosts[" + i + "]";
            String text = u.hosts.get(i);
            require(text != null && !text.isBlank(), file, key);
            HostPort hp;
            try {
                hp = HostPort.parse(text);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(file + ": bad value for '" + key + "': " + e.getMessage());
            }
            if (!seen.add(hp.toString().toLowerCase(java.util.Locale.ROOT))) {
                throw new ConfigException(file + ": " + key + " repeats " + hp);
            }
        }
    }

    /** One candidate of upstream.hosts: "db1:3306", "db1" (port 3306), "[::1]:3306". */
    public record HostPort(String host, int port) {
        public static final int DEFAULT_PORT = 3306;

        public static HostPort parse(String text) {
            String t = text.trim();
            String host;
            String port = null;
            if (t.startsWith("[")) {
                int end = t.indexOf(']');
                if (end < 0) {
                    throw new IllegalArgumentException("'" + text + "' has no closing ]");
                }
                host = t.substring(1, end);
                String rest = t.substring(end + 1);
                if (!rest.isEmpty()) {
                    if (!rest.startsWith(":")) {
                        throw new IllegalArgumentException("'" + text + "' is not [host]:port");
                    }
                    port = rest.substring(1);
                }
            } else {
                int colon = t.lastIndexOf(':');
                if (colon >= 0 && t.indexOf(':') != colon) {
                    throw new IllegalArgumentException("'" + text + "': write an IPv6 address as [address]:port");
                }
                host = colon < 0 ? t : t.substring(0, colon);
                port = colon < 0 ? null : t.substring(colon + 1);
            }
            if (host.isBlank() || host.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("'" + text + "' names no host");
            }
            int p = DEFAULT_PORT;
            if (port != null) {
                try {
                    p = Integer.parseInt(port);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + text + "' has no port number after the colon");
                }
                if (p < 1 || p > 65535) {
                    throw new IllegalArgumentException("port " + p + " of '" + text + "' is not between 1 and 65535");
                }
            }
            return new HostPort(host, p);
        }

        @Override
        public String toString() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    private static void checkRetention(RelayConfig.Retention r, Path file) {
        if (r.maxBytes != null) {
            long bytes = parse(file, "storage.retention.max_bytes", () -> Quantities.bytes(r.maxBytes));
            if (bytes < 1) {
                throw new ConfigException(file + ": storage.retention.max_bytes must be more than 0");
            }
        }
        if (r.maxAge != null && parse(file, "storage.retention.max_age", () -> Quantities.duration(r.maxAge)).isZero()) {
            throw new ConfigException(file + ": storage.retention.max_age must be more than 0");
        }
        if (r.checkInterval == null) {
            r.checkInterval = "10s";
        }
        if (parse(file, "storage.retention.check_interval", () -> Quantities.duration(r.checkInterval)).isZero()) {
            throw new ConfigException(file + ": storage.retention.check_interval must be more than 0");
        }
    }

    private static <T> T parse(Path file, String key, java.util.function.Supplier<T> parser) {
        try {
            return parser.get();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ": bad value for '" + key + "': " + e.getMessage());
        }
    }

    private static void checkDataDir(Path dir, Path file) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new ConfigException(file + ": data_dir " + dir + " cannot be created: " + e.getMessage());
        }
        if (!Files.isDirectory(dir) || !Files.isReadable(dir) || !Files.isWritable(dir)) {
            throw new ConfigException(file + ": data_dir " + dir + " is not a readable and writable directory");
        }
    }

    static void checkPort(int port, Path file, String key) {
        if (port < 1 || port > 65535) {
            throw new ConfigException(file + ": " + key + " must be between 1 and 65535, not " + port);
        }
    }

    private static void require(boolean ok, Path file, String key) {
        if (!ok) {
            throw new ConfigException(file + ": missing key '" + key + "'");
        }
    }

    /** A parsed {@code downstream.listen}. */
    public record ListenAddress(String host, int port) {
        public static ListenAddress parse(String text) {
            int colon = text.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("'" + text + "' is not host:port");
            }
            String host = text.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = Integer.parseInt(text.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' has no numeric port");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " is out of range");
            }
            return new ListenAddress(host, port);
        }
    }
}
