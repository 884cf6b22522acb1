package dev.binlogrelay.server.downstream;

import dev.binlogrelay.storage.BinlogFileInfo;
import dev.binlogrelay.storage.BinlogPosition;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Bytes behind: the rest of the reader's file and every later file, as stored. */
class ProcessListTest {
    private static final List<BinlogFileInfo> FILES = List.of(new BinlogFileInfo("b.000001", 1, 1000, 4),
            new BinlogFileInfo("b.000002", 2, 5000, 4), new BinlogFileInfo("b.000003", 3, 300, 120));
    private static final Optional<BinlogPosition> END = Optional.of(new BinlogPosition("b.000003", 300));

    @Test
    void bytesBehindCountsTheRestOfTheFileAndTheFilesAfterIt() {
        assertEquals(0, ProcessList.bytesBehind(new BinlogPosition("b.000003", 300), END, FILES));
        assertEquals(100, ProcessList.bytesBehind(new BinlogPosition("b.000003", 200), END, FILES));
        assertEquals(180, ProcessList.bytesBehind(new BinlogPosition("b.000003", 4), END, FILES), "from the first stored event");
        assertEquals(600 + 4996 + 180, ProcessList.bytesBehind(new BinlogPosition("b.000001", 400), END, FILES));
        assertEquals(0, ProcessList.bytesBehind(new BinlogPosition("b.000001", 400), Optional.empty(), FILES));
    }
}
