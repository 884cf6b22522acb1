package dev.binlogrelay.core.protocol.command;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.binlogrelay.core.flavor.Flavor;
import dev.binlogrelay.core.flavor.MariaDbFlavor;
import dev.binlogrelay.core.flavor.MysqlFlavor;
import dev.binlogrelay.core.protocol.Commands;
import dev.binlogrelay.core.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the decoders of COM_BINLOG_DUMP, COM_BINLOG_DUMP_GTID, COM_REGISTER_SLAVE and the semi-sync ack
 * ({@link BinlogDump}, {@link BinlogDumpGtid}, {@link RegisterReplica}, {@link SemiSyncAck}) with the payload after the command byte (the test puts the
 * command byte in front), as the relay's downstream server decodes them.
 *
 * <p>Contract: a value or {@link ProtocolException} (a field runs past the packet), and for COM_BINLOG_DUMP_GTID also
 * {@link IllegalArgumentException} for a malformed GTID set (answered with ERR 1236); no string longer than the
 * packet. Round trips: what was decoded encodes and decodes to the same command, and encoded by the flavors' dump
 * commands (what the relay's own upstream client and a stock replica send) decodes to the same request.
 *
 * <p>Inputs: {@code src/test/resources/dev/binlogrelay/core/protocol/command/ReplicationCommandFuzzTestInputs/<method>/}:
 * the commands (without the command byte) as MariaDB and MySQL replicas, mysqlbinlog and
 * mysql-binlog-connector-java send them.
 */
class ReplicationCommandFuzzTest {
    private static final UnpooledByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

    @FuzzTest
    @Timeout(10)
    void binlogDump(byte[] payload) {
        BinlogDump d = decode(Commands.COM_BINLOG_DUMP, payload, BinlogDump::decode);
        if (d == null) {
            return;
        }
        assertTrue(d.file().length() <= payload.length);
        assertEquals(d, encodedAndDecoded(d, BinlogDump::decode));
        for (Flavor flavor : new Flavor[] {MariaDbFlavor.INSTANCE, MysqlFlavor.fromVersion("8.0.36").orElseThrow()}) {
            BinlogDump again = encodedAndDecoded(flavor.dumpCommand(d.serverId(), d.file(), d.position(), null), BinlogDump::decode);
            assertEquals(d.serverId(), again.serverId());
            assertEquals(d.file(), again.file());
            assertEquals(d.position(), again.position());
        }
    }

    @FuzzTest
    @Timeout(10)
    void binlogDumpGtid(byte[] payload) {
        BinlogDumpGtid d;
        try {
            d = decode(Commands.COM_BINLOG_DUMP_GTID, payload, BinlogDumpGtid::decode);
        } catch (IllegalArgumentException badSet) {
            assertNotNull(badSet.getMessage());
            return;
        }
        if (d == null) {
            return;
        }
        assertTrue(d.file().length() <= payload.length);
        assertEquals(d, encodedAndDecoded(d, BinlogDumpGtid::decode));
        Flavor mysql = MysqlFlavor.fromVersion("8.0.36").orElseThrow();
        BinlogDumpGtid again = encodedAndDecoded(mysql.dumpCommand(d.serverId(), null, 0, d.gtids().toString()),
                BinlogDumpGtid::decode);
        assertEquals(d.serverId(), again.serverId());
        assertEquals(d.gtids(), again.gtids());
        assertEquals(BinlogDumpGtid.THROUGH_GTID, again.flags());
        assertEquals("", again.file());
        assertEquals(4, again.position());
    }

    @FuzzTest
    @Timeout(10)
    void registerReplica(byte[] payload) {
        RegisterReplica r = decode(Commands.COM_REGISTER_SLAVE, payload, RegisterReplica::decode);
        if (r == null) {
            return;
        }
        assertTrue(r.host().length() + r.user().length() + r.password().length() <= payload.length);
        assertTrue(r.port() >= 0 && r.port() <= 0xFFFF);
        boolean fits = utf8(r.host()) <= 255 && utf8(r.user()) <= 255 && utf8(r.password()) <= 255;
        if (fits) {
            assertEquals(r, encodedAndDecoded(r, RegisterReplica::decode));
        } else { // bytes that are not UTF-8 came in as U+FFFD, 3 bytes each: too long for a 1-byte length now
            assertThrows(IllegalArgumentException.class, () -> r.encode(ALLOC));
        }
    }

    @FuzzTest
    @Timeout(10)
    void semiSyncAck(byte[] payload) {
        SemiSyncAck a = decode(SemiSyncAck.MAGIC, payload, SemiSyncAck::decode);
        if (a == null) {
            return;
        }
        assertTrue(utf8(a.file()) <= SemiSyncAck.MAX_FILE_NAME_BYTES);
        assertEquals(a, encodedAndDecoded(a, SemiSyncAck::decode));
    }

    private static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static <T> T encodedAndDecoded(ReplicationCommand c, Function<ByteBuf, T> decoder) {
        ByteBuf command = c.encode(ALLOC);
        try {
            T value = decoder.apply(command);
            assertEquals(0, command.readableBytes(), "bytes left after decoding");
            return value;
        } finally {
            command.release();
        }
    }

    /** The decoded value, or null when the decoder refused the payload with a ProtocolException. */
    private static <T> T decode(int commandByte, byte[] payload, Function<ByteBuf, T> decoder) {
        try {
            T value = decoder.apply(Unpooled.wrappedBuffer(new byte[] {(byte) commandByte}, payload));
            assertNotNull(value);
            return value;
        } catch (ProtocolException e) {
            assertNotNull(e.getMessage());
            return null;
        }
    }
}
