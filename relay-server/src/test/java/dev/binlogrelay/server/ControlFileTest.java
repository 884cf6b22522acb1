package dev.binlogrelay.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What STOP SLAVE and CHANGE MASTER TO leave for the next start, and when the config wins over it. */
class ControlFileTest {
    @TempDir
    Path dir;

    @Test
    void noFileMeansRunningFromTheConfiguredUpstream() {
        ControlFile f = ControlFile.load(dir);
        assertFalse(f.stopped());
        assertArrayEquals(new String[] {"db1", "3306"}, f.upstream("db1", 3306));
        assertFalse(Files.exists(dir.resolve(ControlFile.NAME)), "nothing written until a statement changes something");
    }

    @Test
    void stopAndRepointSurviveAReload() {
        ControlFile f = ControlFile.load(dir);
        f.stopped(true);
        f.repoint("db2", 3307, "db1", 3306);
        ControlFile again = ControlFile.load(dir);
        assertTrue(again.stopped());
        assertArrayEquals(new String[] {"db2", "3307"}, again.upstream("db1", 3306));
        again.stopped(false);
        assertFalse(ControlFile.load(dir).stopped());
        assertFalse(Files.exists(dir.resolve(ControlFile.NAME + ".tmp")));
    }

    @Test
    void anEditedConfigWinsAndDropsTheOverride() {
        ControlFile.load(dir).repoint("db2", 3307, "db1", 3306);
        assertArrayEquals(new String[] {"db3", "3306"}, ControlFile.load(dir).upstream("db3", 3306));
        assertArrayEquals(new String[] {"db1", "3306"}, ControlFile.load(dir).upstream("db1", 3306), "dropped for good");
    }

    @Test
    void aDamagedFileIsRefusedWithTheWayOut() throws IOException {
        Files.writeString(dir.resolve(ControlFile.NAME), "ingest=stopped\nupstream.host=db2\nupstream.port=x\n");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> ControlFile.load(dir));
        assertTrue(e.getMessage().contains("upstream.port is not a port") && e.getMessage().contains(ControlFile.NAME),
                e.getMessage());
    }
}
