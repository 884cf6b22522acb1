package dev.binlogrelay.server.cli;

import dev.binlogrelay.server.Relay;
import dev.binlogrelay.server.config.ConfigException;
import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.server.wiring.ConfigCheck;
import dev.binlogrelay.server.wiring.StorageSettings;
import dev.binlogrelay.storage.StoreException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code java -jar binlog-relay.jar <command>}. */
@Command(name = "binlog-relay", mixinStandardHelpOptions = true, version = "binlog-relay 0.1.0",
        description = "MySQL/MariaDB binary-log relay.",
        subcommands = {Main.Run.class, Main.Import.class, Main.CheckConfig.class, CommandLine.HelpCommand.class})
public final class Main {
    /** Netty's system property for its buffer leak detector; set it (e.g. to simple or paranoid) to turn the detector on. */
    static final String LEAK_DETECTION_PROPERTY = "io.netty.leakDetection.level";

    public static void main(String[] args) {
        // Netty samples 1 in 128 buffers for leak tracking, and every slice of a sampled buffer is tracked with a
        // stack trace: on the upstream read buffers (1 MiB, one slice per event) that cost ~8 % of ingest CPU in a
        // profile. The relay runs without it unless the operator asks (-Dio.netty.leakDetection.level=simple);
        // the tests run it with the detector on.
        if (System.getProperty(LEAK_DETECTION_PROPERTY) == null) {
            io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.DISABLED);
        }
        System.exit(new CommandLine(new Main()).execute(args));
    }

    /** The checked config, or null after printing the one line that says why it is refused (exit code 2). */
    private static RelayConfig loadConfig(Path config) {
        try {
            return ConfigCheck.load(config);
        } catch (ConfigException e) {
            System.err.println("binlog-relay: " + e.getMessage());
            return null;
        }
    }

    @Command(name = "import", description = "Load recorded binlog files into the store (checked whole first), "
            + "keeping their names and positions; run without an upstream then serves them.")
    static final class Import implements Callable<Integer> {
        @Option(names = "--config", required = true, description = "YAML config file (its data_dir is the store).")
        Path config;

        @CommandLine.Parameters(arity = "1..*", paramLabel = "BINLOG", description = "Binlog files, in order.")
        java.util.List<Path> files;

        @Override
        public Integer call() {
            RelayConfig cfg = loadConfig(config);
            if (cfg == null) {
                return 2;
            }
            try (dev.binlogrelay.storage.BinlogStore store = dev.binlogrelay.storage.BinlogStore.open(
                    Path.of(cfg.dataDir), StorageSettings.options(cfg.storage))) {
                var importer = new dev.binlogrelay.server.importer.BinlogImporter(store);
                for (Path f : files) {
                    var r = importer.importFile(f);
                    System.out.printf("imported %s: %d events, %d transactions/groups, %d bytes%n",
                            r.file(), r.events(), r.groups(), r.bytes());
                }
                return 0;
            } catch (dev.binlogrelay.core.binlog.BinlogFormatException e) {
                System.err.println("binlog-relay: refused: " + e.getMessage());
                return 4;
            } catch (java.io.IOException | StoreException e) {
                System.err.println("binlog-relay: " + e.getMessage());
                return 3;
            }
        }
    }

    @Command(name = "check-config", description = "Check a config file the way run does before starting anything (YAML,"
            + " keys, values, users, TLS and key files) and exit: 0 and a summary if it is valid, 2 and one line naming the"
            + " bad key if not. Starts nothing and does not open the store.")
    static final class CheckConfig implements Callable<Integer> {
        @Option(names = "--config", required = true, description = "YAML config file (see conf/relay.yaml).")
        Path config;

        @Override
        public Integer call() {
            RelayConfig cfg = loadConfig(config);
            if (cfg == null) {
                return 2;
            }
            long admins = cfg.downstream.users.stream().filter(u -> "admin".equalsIgnoreCase(
                    u.role == null ? "" : u.role.strip())).count();
            System.out.printf("binlog-relay: %s is valid: server_id %d, data_dir %s, upstream %s, downstream %s, %d user(s)"
                    + " (%d admin), metrics %s%n", config, cfg.serverId, cfg.dataDir,
                    cfg.upstream == null ? "none" : cfg.upstream.host + ":" + cfg.upstream.port, cfg.downstream.listen,
                    cfg.downstream.users.size(), admins, cfg.metrics == null ? "off" : cfg.metrics.listen);
            return 0;
        }
    }

    @Command(name = "run", description = "Run the relay with a config file.")
    static final class Run implements Callable<Integer> {
        @Option(names = "--config", required = true, description = "YAML config file (see conf/relay.yaml).")
        Path config;

        @Option(names = "--reset-store", description = "Delete the stored binlog in data_dir first, then fill the store "
                + "afresh from the configured upstream and start (a one-off: do not leave it in a service definition).")
        boolean resetStore;

        @Option(names = "--accept-upstream-change", description = "Keep the stored binlog although upstream.host:port "
                + "(or, at the first login, the primary's server_id/server_uuid) differs from what the store was filled "
                + "from: a failover to a primary whose binlog continues the same history.")
        boolean acceptUpstreamChange;

        @Override
        public Integer call() throws Exception {
            RelayConfig cfg = loadConfig(config);
            if (cfg == null) {
                return 2;
            }
            Relay relay;
            try {
                relay = Relay.start(cfg, new Relay.StartOptions(resetStore, acceptUpstreamChange));
            } catch (ConfigException e) {
                System.err.println("binlog-relay: " + config + ": " + e.getMessage());
                return 2;
            } catch (StoreException | java.io.UncheckedIOException e) {
                System.err.println("binlog-relay: " + e.getMessage());
                return 3;
            } catch (Exception e) {
                // e.g. the listen address is taken (Netty rethrows the BindException as is)
                System.err.println("binlog-relay: cannot start: " + e);
                return 3;
            }
            relay.awaitShutdown();
            return 0;
        }
    }
}
