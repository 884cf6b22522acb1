package dev.binlogrelay.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CanalCursorsTest {
    @TempDir
    Path dir;

    @Test
    void cursorsSurviveAReopenAndAreListedByDestinationThenClient() {
        var a = new CanalCursors.Cursor("example", "1001", "mariadb-bin.000002", 4711, 0, 1_700_000_000_000L, "shop\\..*");
        var b = new CanalCursors.Cursor("example", "1002", "mariadb-bin.000001", 330, 3, 1_700_000_000_001L, "");
        var c = new CanalCursors.Cursor("audit", "7", "mariadb-bin.000003", 4, 0, 5L, "ü\\.ñ");
        try (BinlogStore store = BinlogStore.open(dir, StoreOptions.defaults())) {
            store.canalCursors().put(a);
            store.canalCursors().put(b);
            store.canalCursors().put(c);
            store.canalCursors().put(b.seen(99L));
        }
        try (BinlogStore store = BinlogStore.open(dir, StoreOptions.defaults())) {
            assertEquals(List.of(c, a, b.seen(99L)), store.canalCursors().all());
            assertEquals(a, store.canalCursors().get("example", "1001").orElseThrow());
            assertTrue(store.canalCursors().get("example", "9").isEmpty());
            store.canalCursors().remove("example", "1001");
            assertTrue(store.canalCursors().get("example", "1001").isEmpty());
            assertEquals(List.of(c, b.seen(99L)), store.canalCursors().all());
        }
    }

    @Test
    void aDestinationPrefixOfAnotherIsNotConfused() {
        try (BinlogStore store = BinlogStore.open(dir, StoreOptions.defaults())) {
            store.canalCursors().put(new CanalCursors.Cursor("ex", "ample1", "f.000001", 4, 0, 0, ""));
            store.canalCursors().put(new CanalCursors.Cursor("example", "1", "f.000002", 4, 0, 0, ""));
            assertEquals("f.000001", store.canalCursors().get("ex", "ample1").orElseThrow().file());
            assertEquals("f.000002", store.canalCursors().get("example", "1").orElseThrow().file());
        }
    }

    @Test
    void encodingRoundTripsAndDamageIsNamed() {
        var c = new CanalCursors.Cursor("d", "1", "bin.000009", 1L << 33, 17, 123, ".*\\..*");
        byte[] v = CanalCursors.encode(c);
        assertEquals(c, CanalCursors.decode("d", "1", v));
        byte[] cut = java.util.Arrays.copyOf(v, v.length - 3);
        StoreException e = assertThrows(StoreException.class, () -> CanalCursors.decode("d", "1", cut));
        assertTrue(e.getMessage().contains("d/1"), e.getMessage());
        v[0] = 9;
        assertThrows(StoreException.class, () -> CanalCursors.decode("d", "1", v));
        assertArrayEquals(new byte[] {'a', 0, 'b'}, CanalCursors.key("a", "b"));
        assertThrows(IllegalArgumentException.class, () -> CanalCursors.key("a\0", "b"));
    }
}
