package dev.binlogrelay.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The recorded binlogs of other projects that tests read: the shared fixture folder {@code shared/fixtures/binlog}
 * (a {@code README.md} and one folder per source project). It is not part of this repository, so it is a peer like a
 * MariaDB server: a test that needs a missing fixture is skipped with a message saying what is missing, or, with
 * {@code RELAY_STRICT_PEERS=1} (CI), fails ({@link Peers#require}).
 *
 * <p>The folder is {@code $RELAY_FIXTURES} when set (the {@code binlog} folder itself, or a folder holding
 * {@code binlog} or {@code fixtures/binlog}), else the first {@code shared/fixtures/binlog} found walking up from the
 * working directory (a worktree next to {@code shared/} finds {@code ../shared/fixtures/binlog}).
 */
public final class Fixtures {
    private static final String HOW = "set RELAY_FIXTURES to the recorded-binlog folder, or put it at shared/fixtures/binlog"
            + " in a directory above the project";

    private Fixtures() {
    }

    /** The fixture folder, if there is one; decides nothing. */
    public static Optional<Path> find() {
        String env = System.getenv("RELAY_FIXTURES");
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env).toAbsolutePath();
            for (Path candidate : List.of(p, p.resolve("binlog"), p.resolve("fixtures/binlog"))) {
                if (Files.isRegularFile(candidate.resolve("README.md"))) {
                    return Optional.of(candidate);
                }
            }
            return Files.isDirectory(p) ? Optional.of(p) : Optional.empty();
        }
        for (Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared/fixtures/binlog");
            if (Files.isDirectory(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The fixture folder; when there is none, the calling test is skipped (or fails, when strict). */
    public static Path dir() {
        Optional<Path> dir = find();
        String env = System.getenv("RELAY_FIXTURES");
        Peers.require(dir.isPresent(), env != null && !env.isBlank() ? "the fixture folder RELAY_FIXTURES=" + env
                : "shared/fixtures/binlog (recorded binlogs)", HOW);
        return dir.orElseThrow();
    }

    /**
     * A fixture file by its path relative to the folder (e.g. {@code blackbeam-rust_mysql_common/mariadb-bin.000001});
     * when it or the folder is missing, the calling test is skipped (or fails, when strict).
     */
    public static Path file(String relative) {
        Path dir = dir();
        Path file = dir.resolve(relative);
        Peers.require(Files.isRegularFile(file), "fixture " + relative + " (in " + dir + ")",
                "the fixture folder is incomplete; " + HOW);
        return file;
    }

    /** Every fixture binlog file (all but the READMEs), by path relative to the folder, sorted. */
    public static List<Path> files() {
        Path dir = dir();
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().endsWith(".md"))
                    .map(dir::relativize).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the fixture folder " + dir, e);
        }
    }
}
