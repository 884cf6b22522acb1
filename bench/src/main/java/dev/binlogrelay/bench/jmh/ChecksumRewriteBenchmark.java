package dev.binlogrelay.bench.jmh;

import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.core.binlog.FormatDescription;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * The checksum rewriting a reader that declares another checksum than the stored one costs the relay, per
 * event (what {@code DumpSession} calls): a CRC32 rows event stripped to NONE ({@link Events#withoutCrc}), a
 * NONE rows event given a CRC32 ({@link Events#withCrc}), the format description rewritten
 * ({@link FormatDescription#withChecksum}), and, for scale, verifying a stored CRC32 ({@link Events#crcMatches}).
 * Score: nanoseconds per event.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ChecksumRewriteBenchmark {
    @Param({"200", "2048", "65536"})
    int eventBytes;

    private byte[] withCrc;
    private byte[] withoutCrc;
    private byte[] fde;

    @Setup(Level.Trial)
    public void setUp() {
        withCrc = SampleEvents.rowsEvent(eventBytes, 11);
        withoutCrc = Events.withoutCrc(withCrc);
        fde = SampleEvents.formatDescription();
        if (!Events.crcMatches(withCrc) || !java.util.Arrays.equals(Events.withCrc(withoutCrc), withCrc)) {
            throw new IllegalStateException("sample events do not round-trip");
        }
    }

    @Benchmark
    public byte[] crc32ToNone() {
        return Events.withoutCrc(withCrc);
    }

    @Benchmark
    public byte[] noneToCrc32() {
        return Events.withCrc(withoutCrc);
    }

    @Benchmark
    public boolean verifyCrc32() {
        return Events.crcMatches(withCrc);
    }

    @Benchmark
    public byte[] formatDescriptionToNone() {
        return FormatDescription.withChecksum(fde, ChecksumAlgorithm.NONE);
    }
}
