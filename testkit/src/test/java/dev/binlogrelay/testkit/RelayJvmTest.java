package dev.binlogrelay.testkit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RelayJvmTest {
    @TempDir
    Path tmp;

    @Test
    void theClasspathOfThisJvmHoldsTheTestkit() {
        String cp = RelayJvm.classpathOfThisJvm();
        assertTrue(List.of(cp.split(File.pathSeparator)).stream().anyMatch(e -> e.contains("testkit")), cp);
    }

    @Test
    void aSnapshotCopiesDirectoriesAndFilesInOrderAndLeavesOutMissingEntries() throws Exception {
        Path classes = Files.createDirectories(tmp.resolve("classes/dev/x"));
        Files.writeString(classes.resolve("A.class"), "a");
        Path jar = Files.writeString(tmp.resolve("lib.jar"), "jar");
        String cp = String.join(File.pathSeparator, tmp.resolve("classes").toString(), tmp.resolve("missing.jar").toString(),
                jar.toString());

        String copy = RelayJvm.snapshot(cp, tmp.resolve("snap"));

        List<String> entries = List.of(copy.split(File.pathSeparator));
        assertEquals(List.of(tmp.resolve("snap/0-classes").toString(), tmp.resolve("snap/2-lib.jar").toString()), entries);
        assertEquals("a", Files.readString(Path.of(entries.get(0), "dev/x/A.class")));
        assertEquals("jar", Files.readString(Path.of(entries.get(1))));
    }

    @Test
    void aTailIsTheLastEightThousandCharacters() {
        assertEquals("short", RelayJvm.tail("short"));
        String tail = RelayJvm.tail("x".repeat(10_000) + "end");
        assertEquals(8003, tail.length());
        assertTrue(tail.startsWith("...") && tail.endsWith("end"), tail);
    }
}
