package dev.binlogrelay.core.gtid;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 16 finding 4: a COM_BINLOG_DUMP_GTID set of 32,000 intervals blocked an event loop for 7 s (every interval
 * was inserted by copying, sorting and merging the whole list). Decoding now collects, sorts and merges once. The
 * bounds are generous (the linear decoder takes a few milliseconds for 32,000 intervals; the quadratic one took
 * seconds, and hours for the 300,000 case) so that a loaded machine does not fail them.
 */
class MysqlGtidSetScaleTest {
    private static final UUID SOURCE = UUID.fromString("3e11fa47-71ca-11e1-9e33-c80aa9429562");
    private static final MysqlGtidSet.Tsid TSID = new MysqlGtidSet.Tsid(SOURCE, "");

    /** n disjoint single transactions 1, 3, 5, ... (never adjacent, so nothing merges), in random order. */
    private static ByteBuf hostileSet(int n, long seed) {
        List<Long> odd = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            odd.add(2L * i + 1);
        }
        Collections.shuffle(odd, new Random(seed));
        ByteBuf out = Unpooled.buffer(8 + 24 + 16 * n);
        out.writeLongLE(1).writeLong(SOURCE.getMostSignificantBits()).writeLong(SOURCE.getLeastSignificantBits());
        out.writeLongLE(n);
        for (long gno : odd) {
            out.writeLongLE(gno).writeLongLE(gno + 1);
        }
        return out;
    }

    @Test
    void thirtyTwoThousandShuffledIntervalsDecodeAtOnceAndCorrectly() {
        ByteBuf wire = hostileSet(32_000, 16);
        MysqlGtidSet set = assertTimeoutPreemptively(Duration.ofSeconds(1), () -> MysqlGtidSet.decode(wire));
        List<MysqlGtidSet.Interval> intervals = set.intervals().get(TSID);
        assertEquals(32_000, intervals.size());
        for (int i = 0; i < intervals.size(); i++) {
            assertEquals(new MysqlGtidSet.Interval(2L * i + 1, 2L * i + 1), intervals.get(i), "sorted at " + i);
        }
        assertTrue(set.contains(TSID, 31_999));
        assertFalse(set.contains(TSID, 32_000));
        assertFalse(set.contains(TSID, 64_001));
        // the algebra on such a set stays fast too (a dump filters every event with contains)
        MysqlGtidSet all = MysqlGtidSet.parse(SOURCE + ":1-64000");
        assertTimeoutPreemptively(Duration.ofSeconds(1), () -> {
            assertTrue(all.containsAll(set));
            assertFalse(set.containsAll(all));
            MysqlGtidSet even = all.minus(set);
            assertEquals(32_000, even.intervals().get(TSID).size());
            assertEquals(all, even.union(set));
        });
    }

    @Test
    void threeHundredThousandIntervalsWithOverlapsMergeInOnePass() {
        int n = 300_000;
        ByteBuf out = Unpooled.buffer(8 + 24 + 16 * n);
        out.writeLongLE(1).writeLong(SOURCE.getMostSignificantBits()).writeLong(SOURCE.getLeastSignificantBits());
        out.writeLongLE(n);
        List<Long> starts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            starts.add(10L * i + 1);
        }
        Collections.shuffle(starts, new Random(7));
        for (long start : starts) {
            // [start, start + 10): adjacent to the next one, so all of them merge into 1-3000000
            out.writeLongLE(start).writeLongLE(start + 10);
        }
        MysqlGtidSet set = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> MysqlGtidSet.decode(out));
        assertEquals(List.of(new MysqlGtidSet.Interval(1, 3_000_000)), set.intervals().get(TSID));
    }

    @Test
    void countsAreCheckedAgainstTheBytesPresentBeforeAnythingIsAllocated() {
        ByteBuf lying = Unpooled.buffer();
        lying.writeLongLE(1).writeLong(SOURCE.getMostSignificantBits()).writeLong(SOURCE.getLeastSignificantBits());
        lying.writeLongLE(1L << 40).writeLongLE(1).writeLongLE(2);
        assertThrows(IllegalArgumentException.class, () -> MysqlGtidSet.decode(lying));
        ByteBuf manySources = Unpooled.buffer().writeLongLE(1L << 40);
        assertThrows(IllegalArgumentException.class, () -> MysqlGtidSet.decode(manySources));
        ByteBuf negative = Unpooled.buffer().writeLongLE(0x00FF_FFFF_FFFF_FFFFL);
        assertThrows(IllegalArgumentException.class, () -> MysqlGtidSet.decode(negative));
    }

    /** The rewritten one-pass algebra against a bit-set model, on random small sets. */
    @Test
    void algebraAgreesWithABitSetModel() {
        Random r = new Random(42);
        for (int round = 0; round < 2_000; round++) {
            java.util.BitSet a = randomBits(r);
            java.util.BitSet b = randomBits(r);
            MysqlGtidSet sa = toSet(a);
            MysqlGtidSet sb = toSet(b);
            java.util.BitSet union = (java.util.BitSet) a.clone();
            union.or(b);
            java.util.BitSet minus = (java.util.BitSet) a.clone();
            minus.andNot(b);
            assertEquals(toSet(union), sa.union(sb), () -> sa + " + " + sb);
            assertEquals(toSet(minus), sa.minus(sb), () -> sa + " - " + sb);
            java.util.BitSet bNotA = (java.util.BitSet) b.clone();
            bNotA.andNot(a);
            assertEquals(bNotA.isEmpty(), sa.containsAll(sb), () -> sa + " contains " + sb);
            for (int g = 1; g < 64; g++) {
                assertEquals(a.get(g), sa.contains(TSID, g));
            }
        }
    }

    private static java.util.BitSet randomBits(Random r) {
        java.util.BitSet bits = new java.util.BitSet();
        for (int g = 1; g < 64; g++) {
            if (r.nextInt(3) == 0) {
                bits.set(g);
            }
        }
        return bits;
    }

    /** Through the text form with one interval per transaction, in random order: parse must sort and merge. */
    private static MysqlGtidSet toSet(java.util.BitSet bits) {
        if (bits.isEmpty()) {
            return MysqlGtidSet.EMPTY;
        }
        List<String> parts = new ArrayList<>();
        bits.stream().forEach(g -> parts.add(Integer.toString(g)));
        Collections.shuffle(parts, new Random(bits.hashCode()));
        return MysqlGtidSet.parse(SOURCE + ":" + String.join(":", parts));
    }
}
