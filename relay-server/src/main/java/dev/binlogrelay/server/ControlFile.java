package dev.binlogrelay.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Properties;

/**
 * What the operator's statements changed and a restart must keep, in {@code data_dir/relay-control.properties}
 * (a server keeps the same in master.info): whether ingestion is stopped ({@code STOP SLAVE}) and the upstream
 * address set by {@code CHANGE MASTER TO}, with the configured address it replaced. A later edit of
 * {@code upstream.host}/{@code port} in the config wins over the statement (the file's override is dropped, with a
 * log line). Written whole to a temporary file, fsynced and renamed over the old one, so a crash leaves the old
 * or the new state, never a torn one.
 *
 * <pre>
 * ingest=stopped | running
 * upstream.host=db2           (CHANGE MASTER TO; absent: the config's)
 * upstream.port=3306
 * replaced.host=db1           (the config's upstream when CHANGE MASTER TO ran)
 * replaced.port=3306
 * </pre>
 */
final class ControlFile {
    private static final Logger log = LoggerFactory.getLogger(ControlFile.class);
    static final String NAME = "relay-control.properties";

    private final Path file;
    private boolean stopped;
    private String host;
    private int port;
    private String replacedHost;
    private int replacedPort;

    private ControlFile(Path file) {
        this.file = file;
    }

    /** Reads the file in {@code dataDir} (none: ingestion runs, the config's upstream). */
    static ControlFile load(Path dataDir) {
        ControlFile c = new ControlFile(dataDir.resolve(NAME));
        if (!Files.exists(c.file)) {
            return c;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(c.file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            throw new UncheckedIOException(new IOException("cannot read " + c.file + ": " + e.getMessage()
                    + " (delete it to start ingesting from the configured upstream)", e));
        }
        c.stopped = "stopped".equals(p.getProperty("ingest"));
        c.host = p.getProperty("upstream.host");
        c.port = port(p, "upstream.port", c.file);
        c.replacedHost = p.getProperty("replaced.host");
        c.replacedPort = port(p, "replaced.port", c.file);
        return c;
    }

    private static int port(Properties p, String key, Path file) {
        String v = p.getProperty(key);
        try {
            return v == null ? 0 : Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new UncheckedIOException(new IOException("cannot read " + file + ": " + key + " is not a port: " + v));
        }
    }

    boolean stopped() {
        return stopped;
    }

    /**
     * The upstream address to use for a configured one: the CHANGE MASTER TO address if the config still names the
     * upstream it replaced, else the config's (and the override is dropped).
     */
    String[] upstream(String configHost, int configPort) {
        if (host == null) {
            return new String[] {configHost, Integer.toString(configPort)};
        }
        if (configHost.equalsIgnoreCase(replacedHost) && configPort == replacedPort) {
            log.info("upstream {}:{} (set by CHANGE MASTER TO in place of the configured {}:{}; kept in {})", host, port,
                    configHost, configPort, file);
            return new String[] {host, Integer.toString(port)};
        }
        log.warn("the config's upstream {}:{} changed since CHANGE MASTER TO set {}:{} in place of {}:{}: using the config's",
                configHost, configPort, host, port, replacedHost, replacedPort);
        host = null;
        save();
        return new String[] {configHost, Integer.toString(configPort)};
    }

    void stopped(boolean on) {
        stopped = on;
        save();
    }

    /** CHANGE MASTER TO: {@code host:port} in place of the configured {@code configHost:configPort}. */
    void repoint(String newHost, int newPort, String configHost, int configPort) {
        host = newHost;
        port = newPort;
        replacedHost = configHost;
        replacedPort = configPort;
        save();
    }

    private void save() {
        Properties p = new Properties();
        p.setProperty("ingest", stopped ? "stopped" : "running");
        if (host != null) {
            p.setProperty("upstream.host", host);
            p.setProperty("upstream.port", Integer.toString(port));
            p.setProperty("replaced.host", replacedHost);
            p.setProperty("replaced.port", Integer.toString(replacedPort));
        }
        Path tmp = file.resolveSibling(NAME + ".tmp");
        try {
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                p.store(w, "binlog-relay: what STOP/START SLAVE and CHANGE MASTER TO set");
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
