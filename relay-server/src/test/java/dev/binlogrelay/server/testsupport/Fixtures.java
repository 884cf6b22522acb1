package dev.binlogrelay.server.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The recorded binlogs in shared/fixtures/binlog (env RELAY_FIXTURES, or found walking up from the work dir). */
public final class Fixtures {
    private Fixtures() {
    }

    public static Optional<Path> find(String name) {
        String env = System.getenv("RELAY_FIXTURES");
        if (env != null) {
            return Optional.of(Path.of(env, name)).filter(Files::isRegularFile);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path p = dir.resolve("shared/fixtures/binlog").resolve(name);
            if (Files.isRegularFile(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
