package dev.binlogrelay.core.binlog;

import dev.binlogrelay.core.gtid.MariaGtid;
import dev.binlogrelay.core.gtid.MysqlGtidSet;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the ingester ({@code BinlogIngester}) and the importer ({@code BinlogImporter}) ask of one event whose header
 * checked out (size field = length, at least 19 bytes), for the fuzz targets: every parser returns a value or throws
 * {@link BinlogFormatException}, nothing else; where the relay also builds such events, building one from what was
 * parsed and parsing it again gives the same value.
 */
final class EventChecks {
    private EventChecks() {
    }

    /** Runs {@code parser}; a BinlogFormatException (with a message) counts as a clean refusal. */
    static <T> Optional<T> parsed(java.util.function.Supplier<T> parser) {
        try {
            return Optional.of(parser.get());
        } catch (BinlogFormatException e) {
            assertNotNull(e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Every parser the ingest and import paths apply to an event of this type, with {@code alg} the checksum
     * algorithm the stream's format description announced. Returns the algorithm for the events after it (a format
     * description changes it).
     */
    static ChecksumAlgorithm check(byte[] e, ChecksumAlgorithm alg, GroupTracker tracker) {
        Events.checkHeader(e);
        int type = Events.type(e);
        Events.crcMatches(e);
        if (type == EventType.FORMAT_DESCRIPTION) {
            Optional<ChecksumAlgorithm> announced = parsed(() -> {
                FormatDescription.check(e);
                return FormatDescription.checksum(e);
            });
            if (announced.isEmpty()) {
                return alg;
            }
            alg = announced.get();
            byte[] clean = FormatDescription.withoutInUseFlag(e);
            assertEquals(0, Events.flags(clean) & Events.FLAG_BINLOG_IN_USE);
            assertNotNull(FormatDescription.serverVersion(clean));
            if (FormatDescription.hasChecksumField(e)) {
                for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
                    byte[] r = FormatDescription.withChecksum(e, a);
                    assertEquals(a, FormatDescription.checksum(r));
                    assertTrue(Events.crcMatches(r), "withChecksum leaves a valid CRC");
                }
                assertTrue(Events.crcMatches(FormatDescription.asResent(e)), "asResent leaves a valid CRC");
            }
        }
        final ChecksumAlgorithm a = alg;
        if (type == EventType.ROTATE) {
            parsed(() -> ArtificialEvents.parseRotate(e, a)).ifPresent(t -> {
                ArtificialEvents.RotateTarget again = ArtificialEvents.parseRotate(
                        ArtificialEvents.fakeRotate(Events.serverId(e), t.file(), t.position(), a), a);
                assertEquals(t, again);
            });
        }
        if (type == EventType.MARIA_GTID) {
            parsed(() -> MariaGtidEvent.gtid(e)).ifPresent(g -> assertEquals(Events.serverId(e), g.serverId()));
        }
        if (type == EventType.MARIA_GTID_LIST) {
            parsed(() -> MariaGtidEvent.gtidList(e, a)).ifPresent(list -> {
                assertTrue(16L * list.size() <= e.length, "more GTIDs than the event holds");
                List<MariaGtid> again = MariaGtidEvent.gtidList(ArtificialEvents.fakeGtidList(1, list, 0, a), a);
                assertEquals(list, again);
            });
        }
        if (type == EventType.PREVIOUS_GTIDS) {
            parsed(() -> MysqlGtidEvent.previousGtids(e, a)).ifPresent(set -> {
                ByteBuf out = Unpooled.buffer(set.encodedSize());
                set.encode(out);
                assertEquals(set.encodedSize(), out.readableBytes());
                assertEquals(set, MysqlGtidSet.decode(out));
            });
        }
        if (type == EventType.GTID || type == EventType.GTID_TAGGED || type == EventType.ANONYMOUS_GTID) {
            parsed(() -> MysqlGtidEvent.gtid(e, a)).ifPresent(g -> g.ifPresent(gtid -> assertTrue(gtid.gno() >= 1)));
        }
        parsed(() -> MysqlGtidEvent.executedAfter(MysqlGtidSet.EMPTY, e, a));
        GroupTracker before = tracker;
        int flags = before.classify(e, a);
        assertEquals(0, flags & ~(GroupTracker.START | GroupTracker.END));
        for (int max : new int[] {0, 7, 1 << 20}) {
            String q = GroupTracker.queryText(e, a, max);
            assertTrue(q == null || q.length() <= max, "query text longer than asked for");
        }
        byte[] withCrc = Events.withCrc(e);
        assertTrue(Events.crcMatches(withCrc));
        assertArrayEquals(e, Events.withoutCrc(withCrc));
        return alg;
    }
}
