package dev.binlogrelay.testkit;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FixturesTest {
    @Test
    void aMissingFixtureSkipsOrFailsLikeAMissingPeer() {
        Class<? extends Throwable> expected = Peers.strict() ? AssertionFailedError.class : TestAbortedException.class;
        Throwable t = assertThrows(expected, () -> Fixtures.file("no-such-project/no-such-binlog.000001"));
        // the folder itself may be missing here too: then that is what the message names
        assertTrue(t.getMessage().contains(Fixtures.find().isPresent() ? "fixture no-such-project/no-such-binlog.000001"
                : "not found: set RELAY_FIXTURES"), t.getMessage());
        assertTrue(t.getMessage().contains(" not found: "), t.getMessage());
    }

    @Test
    void everyListedFixtureIsAFileInTheFolder() {
        for (var relative : Fixtures.files()) {
            assertTrue(java.nio.file.Files.isRegularFile(Fixtures.file(relative.toString())), relative.toString());
        }
    }
}
