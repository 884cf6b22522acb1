package dev.binlogrelay.server.wiring;

import dev.binlogrelay.server.config.ConfigException;
import dev.binlogrelay.server.schema.SchemaHistorySettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** schema_history: off by default, on when needed unless said otherwise, bounds parsed and checked. */
class SchemaHistoryConfigTest {
    @TempDir
    Path tmp;

    private SchemaHistorySettings settings(String section, boolean needed) throws IOException {
        return SchemaHistoryConfig.settings(ConfigCheck.load(new ConfigFiles(tmp).withStorage(section)).schemaHistory,
                needed);
    }

    @Test
    void defaultsAndWhenNeeded() throws IOException {
        assertFalse(settings("", false).enabled());
        assertTrue(settings("", true).enabled(), "on when the Canal front end needs it");
        assertEquals(SchemaHistorySettings.DEFAULT_MAX_TABLES, settings("", true).maxTables());
        SchemaHistorySettings s = settings("""
                schema_history:
                  max_tables: 50
                  max_bytes: 2M
                """, true);
        assertTrue(s.enabled());
        assertEquals(50, s.maxTables());
        assertEquals(2L << 20, s.maxBytes());
        assertFalse(settings("""
                schema_history:
                  enabled: false
                """, true).enabled(), "an explicit false wins");
        assertTrue(settings("""
                schema_history:
                  enabled: true
                """, false).enabled());
    }

    @Test
    void badBoundsNameTheKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> settings("""
                schema_history:
                  max_tables: 0
                """, false));
        assertTrue(e.getMessage().contains("schema_history.max_tables"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> settings("""
                schema_history:
                  max_bytes: 12
                """, false));
        assertTrue(e.getMessage().contains("schema_history.max_bytes"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> settings("""
                schema_history:
                  max_byte: 1M
                """, false));
        assertTrue(e.getMessage().contains("max_byte"), e.getMessage());
    }
}
