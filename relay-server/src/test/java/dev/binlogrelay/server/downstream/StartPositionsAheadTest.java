package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.gtid.MariaGtidPosition;
import dev.binlogrelay.storage.BinlogCursor;
import dev.binlogrelay.storage.BinlogPosition;
import dev.binlogrelay.storage.MariaGtidRef;
import dev.binlogrelay.storage.PositionException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Starts ahead of the store ({@link NotYetStored}, which a dump waits for) and starts that are wrong for good (a plain
 * {@link PositionException}, refused at once): only the first kind may become valid when the relay catches up.
 */
class StartPositionsAheadTest extends GroupStoreFixture {
    @Test
    void anEmptyStoreIsNotThereYet() {
        assertInstanceOf(NotYetStored.class, assertThrows(PositionException.class, () -> positions.openForFile("", 4)));
        assertInstanceOf(NotYetStored.class, assertThrows(PositionException.class,
                () -> positions.openForGtid(MariaGtidPosition.parse("0-1-5"))));
    }

    @Test
    void aheadOfTheStoreIsNotThereYetAndBecomesValidWhenStored() throws Exception {
        group(1, new MariaGtidRef(0, 1, 10));
        group(1, new MariaGtidRef(0, 1, 11));
        PositionException gtid = assertThrows(PositionException.class, () -> positions.openForGtid(MariaGtidPosition.parse("0-1-12")));
        assertInstanceOf(NotYetStored.class, gtid);
        assertTrue(gtid.getMessage().contains("requested to start from GTID 0-1-12, which is not in the master's binlog"), gtid.getMessage());
        assertInstanceOf(NotYetStored.class, assertThrows(PositionException.class, () -> positions.openForFile(name(1), 154)));
        assertInstanceOf(NotYetStored.class, assertThrows(PositionException.class, () -> positions.openForFile(name(2), 4)));
        assertInstanceOf(NotYetStored.class, assertThrows(PositionException.class, () -> positions.openForFile(name(3), 4)));

        group(1, new MariaGtidRef(0, 1, 12));
        try (BinlogCursor c = positions.openForGtid(MariaGtidPosition.parse("0-1-12"))) {
            assertEquals(new BinlogPosition(name(1), 4), c.position());
        }
        try (BinlogCursor c = positions.openForFile(name(1), 154)) {
            assertEquals(new BinlogPosition(name(1), 154), c.position());
        }
        group(2, new MariaGtidRef(0, 1, 13));
        try (BinlogCursor c = positions.openForFile(name(2), 4)) {
            assertEquals(new BinlogPosition(name(2), 4), c.position());
        }
    }

    @Test
    void wrongForGoodIsRefusedAtOnce() {
        group(2, new MariaGtidRef(0, 1, 10));
        group(2, new MariaGtidRef(0, 1, 11));
        for (var call : List.<org.junit.jupiter.api.function.Executable>of(
                () -> positions.openForFile(name(1), 4),         // before the first file: never coming
                () -> positions.openForFile("other-bin.000009", 4), // another series
                () -> positions.openForFile(name(2), 60),          // inside the stored part, not an event's start
                () -> positions.openForGtid(MariaGtidPosition.parse("0-1-3")))) { // older than the oldest held
            PositionException e = assertThrows(PositionException.class, call);
            assertFalse(e instanceof NotYetStored, e.getMessage());
        }
    }
}
