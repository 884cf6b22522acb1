package dev.binlogrelay.core.flavor;

import dev.binlogrelay.core.gtid.MysqlGtidSet;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The text forms of a start position, and the flavor's GTID start parsers choosing the variant. */
class StartPositionTest {
    private static final String UUID = "3e11fa47-71ca-11e1-9e33-c80aa9429562";

    @Test
    void startPositionsParse() {
        assertInstanceOf(StartPosition.Earliest.class, StartPosition.parse("earliest"));
        assertInstanceOf(StartPosition.Current.class, StartPosition.parse("current"));
        assertEquals(new StartPosition.FilePosition("mariadb-bin.000002", 1234), StartPosition.parse("mariadb-bin.000002:1234"));
        assertEquals("0-1-100,1-2-3", ((StartPosition.MariaGtids) StartPosition.parse("0-1-100,1-2-3")).position().toString());
        assertThrows(IllegalArgumentException.class, () -> StartPosition.parse("yesterday"));
    }

    @Test
    void mysqlGtidSetStarts() {
        // a single transaction looks like FILE:POSITION to a naive parser; the UUID decides
        for (String text : new String[] {UUID + ":5", UUID + ":1-100", UUID + ":1-100:200," + UUID.replace('3', '4') + ":1-3",
                UUID + ":tx:1-5", " " + UUID.toUpperCase() + ":1-2 "}) {
            StartPosition p = StartPosition.parse(text);
            assertInstanceOf(StartPosition.MysqlGtids.class, p, text);
            assertEquals(MysqlGtidSet.parse(text.trim()).toString(), ((StartPosition.GtidStart) p).text());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StartPosition.parse(UUID + ":5-1"));
        assertTrue(e.getMessage().contains("not a MySQL GTID set"), e.getMessage());
        // file names that merely contain hex and dashes stay file positions
        assertInstanceOf(StartPosition.FilePosition.class, StartPosition.parse("binlog.000001:4"));
    }

    @Test
    void eachFlavorParsesItsOwnGtidStartIntoItsVariant() {
        assertEquals(new StartPosition.MariaGtids(dev.binlogrelay.core.gtid.MariaGtidPosition.parse("0-1-100")),
                MariaDbFlavor.INSTANCE.parseGtidStart(" 0-1-100"));
        assertEquals(new StartPosition.MysqlGtids(MysqlGtidSet.parse(UUID + ":1-100")),
                new MysqlFlavor(8, 0, 36).parseGtidStart(UUID.toUpperCase() + ":1-100"));
        String refused = assertThrows(IllegalArgumentException.class,
                () -> MariaDbFlavor.INSTANCE.parseGtidStart(UUID + ":1-100")).getMessage();
        assertTrue(refused.contains("which a MariaDB primary needs"), refused);
    }
}
