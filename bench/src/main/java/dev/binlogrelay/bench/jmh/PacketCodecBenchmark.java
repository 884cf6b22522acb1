package dev.binlogrelay.bench.jmh;

import dev.binlogrelay.core.protocol.PacketDecoder;
import dev.binlogrelay.core.protocol.PacketEncoder;
import dev.binlogrelay.core.protocol.PacketSequence;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * Packet framing of relay-core's Netty codecs: {@link PacketDecoder} turning a stream of {@value #PACKETS}
 * packets (fed in 64 KiB reads, so packets straddle reads) into payloads, and {@link PacketEncoder} framing
 * payloads. Score: microseconds per packet; the payload size is the parameter (a small event, a typical rows
 * event, a large one).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PacketCodecBenchmark {
    static final int PACKETS = 256;
    private static final int READ = 64 * 1024;

    @Param({"64", "2048", "65536"})
    int payloadBytes;

    private ByteBuf stream;
    private ByteBuf payload;

    @Setup(Level.Trial)
    public void setUp() {
        payload = Unpooled.wrappedBuffer(SampleEvents.rowsEvent(payloadBytes, 7));
        stream = Unpooled.buffer(PACKETS * (payloadBytes + 4));
        for (int i = 0; i < PACKETS; i++) {
            stream.writeMediumLE(payloadBytes).writeByte(i & 0xFF).writeBytes(payload, 0, payloadBytes);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        stream.release();
        payload.release();
    }

    @Benchmark
    @OperationsPerInvocation(PACKETS)
    public long decode() {
        EmbeddedChannel ch = new EmbeddedChannel(new PacketDecoder(new PacketSequence(), 1L << 30));
        long bytes = 0;
        for (int at = 0; at < stream.writerIndex(); at += READ) {
            ch.writeInbound(stream.retainedSlice(at, Math.min(READ, stream.writerIndex() - at)));
            for (ByteBuf p; (p = ch.readInbound()) != null; ) {
                bytes += p.readableBytes();
                p.release();
            }
        }
        ch.finishAndReleaseAll();
        if (bytes != (long) PACKETS * payloadBytes) {
            throw new IllegalStateException("decoded " + bytes + " bytes");
        }
        return bytes;
    }

    @Benchmark
    @OperationsPerInvocation(PACKETS)
    public long encode() {
        EmbeddedChannel ch = new EmbeddedChannel(new PacketEncoder(new PacketSequence()));
        long bytes = 0;
        for (int i = 0; i < PACKETS; i++) {
            ch.writeOutbound(payload.retainedDuplicate());
            for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
                bytes += b.readableBytes();
                b.release();
            }
        }
        ch.finishAndReleaseAll();
        return bytes;
    }
}
