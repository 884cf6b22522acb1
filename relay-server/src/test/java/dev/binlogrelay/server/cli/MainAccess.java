package dev.binlogrelay.server.cli;

import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Runs the command line in this JVM (without System.exit) and captures what it prints to stderr. */
public final class MainAccess {
    private MainAccess() {
    }

    public record Result(int exitCode, String stderr) {
    }

    /** {@code binlog-relay <command> --config <config> <extra...>}; only for commands that return (refusals, errors). */
    public static synchronized Result run(Path config, String command, String... extra) {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] args = new String[3 + extra.length];
        args[0] = command;
        args[1] = "--config";
        args[2] = config.toString();
        System.arraycopy(extra, 0, args, 3, extra.length);
        try (PrintStream capture = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setErr(capture);
            int code = new CommandLine(new Main()).execute(args);
            return new Result(code, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(saved);
        }
    }
}
