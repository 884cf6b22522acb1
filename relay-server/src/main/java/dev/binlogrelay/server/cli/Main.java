package dev.binlogrelay.server.cli;

import dev.binlogrelay.server.Relay;
import dev.binlogrelay.server.config.ConfigException;
import dev.binlogrelay.server.config.ConfigLoader;
import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.storage.StoreException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code java -jar binlog-relay.jar <command>}. */
@Command(name = "binlog-relay", mixinStandardHelpOptions = true, version = "binlog-relay 0.1.0",
        description = "MySQL/MariaDB binary-log relay.",
        subcommands = {Main.Run.class, CommandLine.HelpCommand.class})
public final class Main {
    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Command(name = "run", description = "Run the relay with a config file.")
    static final class Run implements Callable<Integer> {
        @Option(names = "--config", required = true, description = "YAML config file (see conf/relay.yaml).")
        Path config;

        @Override
        public Integer call() throws Exception {
            RelayConfig cfg;
            try {
                cfg = ConfigLoader.load(config);
            } catch (ConfigException e) {
                System.err.println("binlog-relay: " + e.getMessage());
                return 2;
            }
            Relay relay;
            try {
                relay = Relay.start(cfg);
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
