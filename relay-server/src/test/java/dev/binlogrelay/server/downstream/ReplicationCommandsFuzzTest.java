package dev.binlogrelay.server.downstream;

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

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the decoders of COM_BINLOG_DUMP, COM_BINLOG_DUMP_GTID and COM_REGISTER_SLAVE ({@link ReplicationCommands}),
 * the payload after the command byte.
 *
 * <p>Contract: a value or {@link ProtocolException} (a field runs past the packet), and for COM_BINLOG_DUMP_GTID also
 * {@link IllegalArgumentException} for a malformed GTID set (answered with ERR 1236); no string longer than the
 * packet. Round trips: what was decoded, encoded by the flavors' dump commands (what the relay's own upstream client
 * and a stock replica send), decodes to the same request.
 *
 * <p>Inputs: {@code src/test/resources/dev/binlogrelay/server/downstream/ReplicationCommandsFuzzTestInputs/<method>/}:
 * the commands as MariaDB and MySQL replicas, mysqlbinlog and mysql-binlog-connector-java send them.
 */
class ReplicationCommandsFuzzTest {
    private static final UnpooledByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

    @FuzzTest
    @Timeout(10)
    void binlogDump(byte[] payload) {
        ReplicationCommands.BinlogDump d = decode(payload, ReplicationCommands.BinlogDump::decode);
        if (d == null) {
            return;
        }
        assertTrue(d.file().length() <= payload.length);
        for (Flavor flavor : new Flavor[] {MariaDbFlavor.INSTANCE, MysqlFlavor.fromVersion("8.0.36").orElseThrow()}) {
            ReplicationCommands.BinlogDump again = encodedAndDecoded(flavor.dumpCommand(d.serverId(), d.file(), d.position(), null).encode(ALLOC),
                    Commands.COM_BINLOG_DUMP, ReplicationCommands.BinlogDump::decode);
            assertEquals(d.serverId(), again.serverId());
            assertEquals(d.file(), again.file());
            assertEquals(d.position(), again.position());
        }
    }

    @FuzzTest
    @Timeout(10)
    void binlogDumpGtid(byte[] payload) {
        ReplicationCommands.BinlogDumpGtid d;
        try {
            d = decode(payload, ReplicationCommands.BinlogDumpGtid::decode);
        } catch (IllegalArgumentException badSet) {
            assertNotNull(badSet.getMessage());
            return;
        }
        if (d == null) {
            return;
        }
        assertTrue(d.file().length() <= payload.length);
        Flavor mysql = MysqlFlavor.fromVersion("8.0.36").orElseThrow();
        ReplicationCommands.BinlogDumpGtid again = encodedAndDecoded(mysql.dumpCommand(d.serverId(), null, 0, d.gtids().toString()).encode(ALLOC),
                Commands.COM_BINLOG_DUMP_GTID, ReplicationCommands.BinlogDumpGtid::decode);
        assertEquals(d.serverId(), again.serverId());
        assertEquals(d.gtids(), again.gtids());
        assertEquals(dev.binlogrelay.core.protocol.command.BinlogDumpGtid.THROUGH_GTID, again.flags());
        assertEquals("", again.file());
        assertEquals(4, again.position());
    }

    @FuzzTest
    @Timeout(10)
    void registerReplica(byte[] payload) {
        ReplicationCommands.RegisterReplica r = decode(payload, ReplicationCommands.RegisterReplica::decode);
        if (r != null) {
            assertTrue(r.host().length() + r.user().length() + r.password().length() <= payload.length);
            assertTrue(r.port() >= 0 && r.port() <= 0xFFFF);
        }
    }

    private static <T> T encodedAndDecoded(ByteBuf command, int commandByte, Function<ByteBuf, T> decoder) {
        try {
            assertEquals(commandByte, command.readUnsignedByte());
            T value = decoder.apply(command);
            assertEquals(0, command.readableBytes(), "bytes left after decoding");
            return value;
        } finally {
            command.release();
        }
    }

    /** The decoded value, or null when the decoder refused the payload with a ProtocolException. */
    private static <T> T decode(byte[] payload, Function<ByteBuf, T> decoder) {
        try {
            T value = decoder.apply(Unpooled.wrappedBuffer(payload));
            assertNotNull(value);
            return value;
        } catch (ProtocolException e) {
            assertNotNull(e.getMessage());
            return null;
        }
    }
}
