package dev.binlogrelay.server.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code check-config}: exit 0 and a summary for a valid config, 2 and the line naming the key for a bad one; no store. */
class CheckConfigTest {
    @TempDir
    Path tmp;

    private Path config(String usersExtra) throws IOException {
        Path file = tmp.resolve("relay.yaml");
        Files.writeString(file, """
                server_id: 9001
                data_dir: %s
                upstream:
                  host: 127.0.0.1
                  port: 3306
                  user: repl
                  password: secret
                downstream:
                  listen: 127.0.0.1:3307
                  users:
                    - user: repl
                      password: secret
                %smetrics:
                  listen: 127.0.0.1:9104
                """.formatted(tmp.resolve("data"), usersExtra));
        return file;
    }

    @Test
    void aValidConfigExitsZeroWithASummaryAndOpensNothing() throws IOException {
        Path file = config("    - user: op\n      password: x\n      role: admin\n");
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MainAccess.Result r;
        try (PrintStream capture = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            r = MainAccess.run(file, "check-config");
        } finally {
            System.setOut(saved);
        }
        assertEquals(0, r.exitCode(), r.stderr());
        String summary = out.toString(StandardCharsets.UTF_8);
        assertTrue(summary.contains("is valid: server_id 9001"), summary);
        assertTrue(summary.contains("upstream 127.0.0.1:3306, downstream 127.0.0.1:3307, 2 user(s) (1 admin), metrics 127.0.0.1:9104"),
                summary);
        assertFalse(Files.exists(tmp.resolve("data").resolve("CURRENT")), "check-config must not create the store");
    }

    @Test
    void aBadKeyExitsTwoNamingIt() throws IOException {
        MainAccess.Result r = MainAccess.run(config("    - user: op\n      password: x\n      role: root\n"), "check-config");
        assertEquals(2, r.exitCode());
        assertTrue(r.stderr().contains("'downstream.users[1].role'"), r.stderr());
        MainAccess.Result missing = MainAccess.run(tmp.resolve("absent.yaml"), "check-config");
        assertEquals(2, missing.exitCode());
        assertTrue(missing.stderr().contains("cannot be read"), missing.stderr());
    }
}
