package dev.binlogrelay.bench.setup;

import dev.binlogrelay.bench.reader.ReaderConnection;
import dev.binlogrelay.core.protocol.TextResultSet;
import dev.binlogrelay.testkit.FreePorts;
import dev.binlogrelay.testkit.MariaDbServer;
import dev.binlogrelay.testkit.RelayJvm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The relay under test, in a JVM of its own (the testkit's {@link RelayJvm}: {@code dev.binlogrelay.server.cli.Main
 * run --config FILE}), so that its CPU time can be read from /proc exactly as the server's is, with nothing of the
 * bench's readers in it. It replicates the primary from its first binlog file into a fresh store and listens on a free
 * loopback port; its output goes to {@code NAME.log} in the results directory.
 */
public record RelayProcess(RelayJvm jvm, int port, int metricsPort) implements AutoCloseable {
    public static final String USER = "repl";
    public static final String PASSWORD = "secret";

    /**
     * The collector docs/configuration.md recommends for the relay, used by every relay the harness starts (the fan-out's
     * through {@code --relay-jvm-options}). ZGC keeps pauses under a millisecond; G1's young pauses of 10-20 ms
     * (copying the hot tail's events) were most of the relay's added p99 latency.
     */
    public static final String GC = "-XX:+UseZGC";

    /** {@code storage.sync} of every relay the harness starts (Bench's {@code --relay-sync}). */
    private static volatile String storageSync = "every_transaction";

    public static void storageSync(String sync) {
        storageSync = sync;
    }

    public static String storageSync() {
        return storageSync;
    }

    /** Further {@code storage} keys of every relay the harness starts (Bench's {@code --relay-storage}), as YAML lines. */
    private static volatile List<String> storageLines = List.of();

    /**
     * Sets further {@code storage} keys from {@code key=value} pairs; a dotted key is one level of nesting
     * ({@code rocksdb.compression=none} becomes {@code rocksdb:} / {@code compression: none}).
     */
    public static void storageSettings(List<String> pairs) {
        java.util.Map<String, List<String>> nested = new java.util.LinkedHashMap<>();
        List<String> lines = new ArrayList<>();
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--relay-storage takes key=value, got '" + pair + "'");
            }
            String key = pair.substring(0, eq).trim();
            String value = pair.substring(eq + 1).trim();
            if (key.equals("sync")) {
                throw new IllegalArgumentException("storage.sync has its own option: --relay-sync " + value);
            }
            int dot = key.indexOf('.');
            if (dot < 0) {
                lines.add("  " + key + ": " + value);
            } else {
                nested.computeIfAbsent(key.substring(0, dot), k -> new ArrayList<>())
                        .add("    " + key.substring(dot + 1) + ": " + value);
            }
        }
        nested.forEach((section, entries) -> {
            lines.add("  " + section + ":");
            lines.addAll(entries);
        });
        storageLines = List.copyOf(lines);
    }

    /**
     * Writes the config and starts the relay with {@code jvmOptions} (e.g. {@code -Xmx2g}); returns once it
     * answers SQL on its port.
     */
    public static RelayProcess start(MariaDbServer primary, Path dataDir, Path outDir, List<String> jvmOptions,
                                     Duration startTimeout) throws IOException, InterruptedException {
        return start(primary, dataDir, outDir, "relay", 9001, jvmOptions, startTimeout);
    }

    /**
     * As above; {@code name} names the config and log files in {@code outDir}. Relays replicating the same primary at
     * the same time need different {@code serverId}s: the primary drops a replica when another with its id connects.
     */
    public static RelayProcess start(MariaDbServer primary, Path dataDir, Path outDir, String name, long serverId,
                                     List<String> jvmOptions, Duration startTimeout) throws IOException, InterruptedException {
        return start(primary, dataDir, outDir, name, serverId, jvmOptions, classpath(), startTimeout);
    }

    /** As above, running the relay of {@code classpath} (another build's, to compare builds). */
    public static RelayProcess start(MariaDbServer primary, Path dataDir, Path outDir, String name, long serverId,
                                     List<String> jvmOptions, String classpath, Duration startTimeout)
            throws IOException, InterruptedException {
        return start(primary, dataDir, outDir, name, serverId, jvmOptions, classpath, "earliest", List.of(), startTimeout);
    }

    /**
     * As above, replicating from {@code upstreamStart} (the {@code upstream.start} value, e.g. {@code file:position})
     * and with {@code extraLines} (further top-level sections, e.g. {@code canal:}) appended to the config.
     */
    public static RelayProcess start(MariaDbServer primary, Path dataDir, Path outDir, String name, long serverId,
                                     List<String> jvmOptions, String classpath, String upstreamStart,
                                     List<String> extraLines, Duration startTimeout)
            throws IOException, InterruptedException {
        return start(primary, dataDir, outDir, name, serverId, jvmOptions, classpath, upstreamStart, List.of(), extraLines,
                startTimeout);
    }

    /**
     * As above, with {@code downstreamLines} (further keys of the {@code downstream:} section, indented two spaces,
     * e.g. {@code "  max_connections: 10100"}).
     */
    public static RelayProcess start(MariaDbServer primary, Path dataDir, Path outDir, String name, long serverId,
                                     List<String> jvmOptions, String classpath, String upstreamStart,
                                     List<String> downstreamLines, List<String> extraLines, Duration startTimeout)
            throws IOException, InterruptedException {
        int port = FreePorts.find();
        int metricsPort = FreePorts.find();
        Path config = outDir.resolve(name + ".yaml");
        List<String> yaml = new ArrayList<>();
        yaml.add("# written by the benchmark harness (dev.binlogrelay.bench.Bench)");
        yaml.addAll(RelayJvm.replicaConfig(serverId, dataDir, primary, MariaDbServer.REPL_USER, MariaDbServer.REPL_PASSWORD)
                .stream().map(l -> l.equals("  start: earliest") ? "  start: " + upstreamStart : l).toList());
        yaml.addAll(List.of(
                "downstream:",
                "  listen: 127.0.0.1:" + port,
                // like for like with the bench's primary, which offers no TLS (mariadb-binlog takes TLS when offered)
                "  tls: off",
                String.join("\n", downstreamLines),
                "  users:",
                "    - user: " + USER,
                "      password: " + PASSWORD,
                "metrics:",
                "  listen: 127.0.0.1:" + metricsPort,
                "storage:",
                "  sync: " + storageSync,
                String.join("\n", storageLines)));
        yaml.addAll(extraLines);
        yaml.add("");
        Files.writeString(config, String.join("\n", yaml));
        Path log = outDir.resolve(name + ".log");
        Files.deleteIfExists(log);
        RelayJvm jvm = new RelayJvm(config, log, classpath).jvmOptions(jvmOptions);
        RelayProcess relay = new RelayProcess(jvm, port, metricsPort);
        try {
            jvm.start();
            jvm.awaitAnswering(port, USER, PASSWORD, startTimeout);
        } catch (IOException | RuntimeException | InterruptedException e) {
            relay.close();
            throw e;
        }
        return relay;
    }

    public long pid() {
        return jvm.pid();
    }

    public Path log() {
        return jvm.log();
    }

    /**
     * The value of an unlabelled sample of the relay's Prometheus endpoint (e.g. {@code binlog_relay_cache_hits_total}),
     * or NaN when the relay does not export it.
     */
    public double metric(String sample) throws IOException {
        java.net.URL url = new java.net.URL("http://127.0.0.1:" + metricsPort + "/metrics");
        java.net.HttpURLConnection http = (java.net.HttpURLConnection) url.openConnection();
        http.setConnectTimeout(5_000);
        http.setReadTimeout(10_000);
        try (var in = http.getInputStream()) {
            for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith(sample + " ")) {
                    return Double.parseDouble(line.substring(sample.length() + 1).trim().split(" ")[0]);
                }
            }
            return Double.NaN;
        } finally {
            http.disconnect();
        }
    }

    /** The relay's SHOW MASTER STATUS as file:position, or null while its store is empty. */
    public String storedEnd() throws IOException {
        try (ReaderConnection c = ReaderConnection.open("127.0.0.1", port, USER, PASSWORD, 0)) {
            TextResultSet rs = c.query("SHOW MASTER STATUS");
            return rs.rows().isEmpty() ? null : rs.rows().get(0).get(0) + ":" + rs.rows().get(0).get(1);
        }
    }

    /**
     * Waits until the relay has stored the primary's binlog up to {@code file:position} or past it (MariaDB may
     * write a BINLOG_CHECKPOINT after the position it reported); fails after {@code timeout}.
     */
    public void awaitStored(String filePos, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String seen = null;
        while (System.nanoTime() < deadline) {
            jvm.checkAlive("storing the binlog");
            seen = storedEnd();
            if (seen != null && atOrPast(seen, filePos)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the relay stored up to " + seen + " but not " + filePos + " within " + timeout
                + "; see " + jvm.log());
    }

    /** True if {@code seen} (file:position) is at or after {@code target}; file names of one series sort by name. */
    static boolean atOrPast(String seen, String target) {
        int a = seen.lastIndexOf(':');
        int b = target.lastIndexOf(':');
        int byFile = seen.substring(0, a).compareTo(target.substring(0, b));
        return byFile > 0 || (byFile == 0 && Long.parseLong(seen.substring(a + 1)) >= Long.parseLong(target.substring(b + 1)));
    }

    /** Asks the relay to stop (SIGTERM, it closes its store) and kills it if it does not within 30 s. */
    @Override
    public void close() {
        jvm.stop(Duration.ofSeconds(30));
    }

    /** The bench's own classpath ({@link RelayJvm#classpathOfThisJvm()}), which must hold the relay-server module. */
    static String classpath() {
        String cp = RelayJvm.classpathOfThisJvm();
        if (!cp.contains("relay-server")) {
            throw new UncheckedIOException(new IOException("relay-server is not on the classpath " + cp
                    + "; start the bench with Maven: mvn -q -pl bench exec:java@bench"));
        }
        return cp;
    }
}
