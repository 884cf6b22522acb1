package dev.binlogrelay.server.wiring;

import dev.binlogrelay.server.config.ConfigException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;

/** Config files for the config tests: written into a test's temp dir, loaded, or expected to be refused. */
public final class ConfigFiles {
    private final Path dir;

    public ConfigFiles(Path dir) {
        this.dir = dir;
    }

    /** Writes {@code yaml} as relay.yaml in the temp dir. */
    public Path write(String yaml) throws IOException {
        Path f = dir.resolve("relay.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    /** A minimal valid config without upstream, with {@code storage} (a whole {@code storage:} section, or "") last. */
    public Path withStorage(String storage) throws IOException {
        return write(minimal(storage));
    }

    /**
     * The text of a minimal valid config without upstream, ending in the downstream users; {@code tail} follows:
     * further downstream keys indented by two spaces, or whole top-level sections.
     */
    public String minimal(String tail) {
        return """
                server_id: 9001
                data_dir: %s
                downstream:
                  listen: 127.0.0.1:3307
                  users:
                    - user: repl
                      password: secret
                %s""".formatted(dir.resolve("data"), tail);
    }

    /** The message of the ConfigException that loading and checking {@code yaml} ({@link ConfigCheck#load}) must throw. */
    public String error(String yaml) throws IOException {
        Path f = write(yaml);
        return assertThrows(ConfigException.class, () -> ConfigCheck.load(f)).getMessage();
    }
}
