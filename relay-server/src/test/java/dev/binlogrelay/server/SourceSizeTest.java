package dev.binlogrelay.server;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No main source file of any module is over {@value #MAX_LINES} lines: a class that grows past it holds more than
 * one responsibility (docs/development.md). Tests are not limited. The modules are found from relay-server's
 * directory, the one Surefire runs this test in.
 */
class SourceSizeTest {
    static final int MAX_LINES = 400;
    private static final List<String> MODULES = List.of("relay-core", "storage", "relay-server", "testkit", "bench");

    @Test
    void noMainSourceFileIsOverTheLimit() throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        List<String> over = new ArrayList<>();
        int files = 0;
        for (String module : MODULES) {
            Path main = root.resolve(module).resolve("src/main/java");
            assertTrue(Files.isDirectory(main), "module sources not found: " + main);
            try (Stream<Path> paths = Files.walk(main)) {
                for (Path p : (Iterable<Path>) paths.filter(f -> f.toString().endsWith(".java"))::iterator) {
                    files++;
                    long lines;
                    try (Stream<String> l = Files.lines(p)) {
                        lines = l.count();
                    }
                    if (lines > MAX_LINES) {
                        over.add(root.relativize(p) + ": " + lines + " lines");
                    }
                }
            }
        }
        assertTrue(files > 100, "only " + files + " main source files found under " + root);
        assertEquals(List.of(), over, "main source files over " + MAX_LINES + " lines");
    }
}
