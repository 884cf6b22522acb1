package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.auth.AuthPlugin;
import dev.binlogrelay.core.auth.NativePassword;
import dev.binlogrelay.core.protocol.HandshakeV10;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.binlogrelay.server.downstream.EmbeddedRelay.errorCode;
import static dev.binlogrelay.server.downstream.EmbeddedRelay.handshake;
import static dev.binlogrelay.server.downstream.EmbeddedRelay.onePacket;
import static dev.binlogrelay.server.downstream.EmbeddedRelay.packets;
import static dev.binlogrelay.server.downstream.EmbeddedRelay.response;
import static dev.binlogrelay.server.downstream.EmbeddedRelay.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 16 finding 3 ("What must be true" 3): the login phase is bounded in time (connect_timeout), in packet size
 * (max_login_packet) and in numbers (max_connections, max_unauthenticated_per_host); a logged-in connection that
 * is not dumping is closed after its idle timeout. Driven on EmbeddedChannels with the server's real pipeline and
 * the event loop's clock advanced by hand.
 */
class LoginLimitsTest {
    private EmbeddedRelay relay;

    private static DownstreamLimits limits(int maxConnections, int perHost) {
        return new DownstreamLimits(16 << 20, 64 << 10, Duration.ofSeconds(10), Duration.ofSeconds(60), maxConnections,
                perHost, 0, Duration.ZERO, 1 << 20);
    }

    private EmbeddedRelay relay(DownstreamLimits limits) {
        relay = new EmbeddedRelay(limits, AuthPlugin.MYSQL_NATIVE_PASSWORD);
        return relay;
    }

    @AfterEach
    void close() {
        if (relay != null) {
            relay.close();
        }
    }

    private static void login(EmbeddedChannel ch) {
        HandshakeV10 hs = handshake(ch);
        send(ch, 1, response(EmbeddedRelay.USER, NativePassword.scramble(EmbeddedRelay.PASSWORD, hs.scramble()), NativePassword.PLUGIN));
        byte[] ok = onePacket(ch);
        assertEquals(0, ok[0], "OK after the login");
    }

    @Test
    void aConnectionThatNeverAnswersTheHandshakeIsClosedAfterConnectTimeout() {
        EmbeddedRelay r = relay(limits(100, 100));
        EmbeddedChannel ch = r.connect();
        handshake(ch);
        assertEquals(1, r.server.connectionCounts().loggingIn());
        ch.advanceTimeBy(9, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertTrue(ch.isActive(), "still within connect_timeout");
        ch.advanceTimeBy(2, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertFalse(ch.isActive(), "closed once connect_timeout passed");
        assertEquals(0, r.server.connectionCounts().loggingIn());
        assertEquals(0, r.server.connectionCounts().openNow());
        assertTrue(r.warnings().stream().anyMatch(w -> w.contains("not logged in within downstream.connect_timeout")), r.warnings().toString());
    }

    @Test
    void aLoggedInConnectionIsNotClosedByConnectTimeoutButByIdleTimeout() {
        EmbeddedRelay r = relay(limits(100, 100));
        EmbeddedChannel ch = r.connect();
        login(ch);
        assertEquals(0, r.server.connectionCounts().loggingIn());
        ch.advanceTimeBy(30, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertTrue(ch.isActive());
        send(ch, 0, new byte[]{14}); // COM_PING restarts the idle timer
        assertEquals(0, onePacket(ch)[0]);
        ch.advanceTimeBy(45, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertTrue(ch.isActive(), "75 s after login but 45 s after the last command");
        ch.advanceTimeBy(20, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        byte[] err = onePacket(ch);
        assertEquals(4031, errorCode(err), "ER_CLIENT_INTERACTION_TIMEOUT before closing");
        assertFalse(ch.isActive());
        assertEquals(0, r.server.connectionCounts().openNow());
    }

    @Test
    void aSessionWaitTimeoutOverridesTheIdleTimeout() {
        EmbeddedRelay r = relay(limits(100, 100));
        EmbeddedChannel ch = r.connect();
        login(ch);
        byte[] set = ("\3SET wait_timeout = 5").getBytes(StandardCharsets.UTF_8);
        send(ch, 0, set);
        assertEquals(0, onePacket(ch)[0]);
        ch.advanceTimeBy(6, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertEquals(4031, errorCode(onePacket(ch)));
        assertFalse(ch.isActive());
    }

    @Test
    void beforeLoginAPacketOverTheLoginLimitIsRefusedFromItsHeaderAlone() {
        EmbeddedRelay r = relay(limits(100, 100));
        EmbeddedChannel ch = r.connect();
        handshake(ch);
        // announces one byte short of 16 MiB and sends 1 KiB of it: refused without waiting for (or holding) the rest
        io.netty.buffer.ByteBuf b = io.netty.buffer.Unpooled.buffer().writeMediumLE(0xFFFFFE).writeByte(1).writeZero(1024);
        ch.writeInbound(b);
        byte[] err = onePacket(ch);
        assertEquals(1156, errorCode(err));
        assertTrue(EmbeddedRelay.errorMessage(err).contains("exceeds the limit of 65536"), EmbeddedRelay.errorMessage(err));
        assertFalse(ch.isActive());
    }

    @Test
    void afterLoginPacketsUpToMaxPacketAreTaken() {
        EmbeddedRelay r = relay(limits(100, 100));
        EmbeddedChannel ch = r.connect();
        login(ch);
        String big = "x".repeat(200 * 1024);
        send(ch, 0, ("\3SELECT '" + big + "'").getBytes(StandardCharsets.UTF_8));
        List<byte[]> result = packets(ch);
        assertTrue(result.size() >= 3, "a result set");
        assertTrue(result.stream().anyMatch(p -> p.length > 200 * 1024), "with the 200 KiB value");
        assertTrue(ch.isActive());
    }

    @Test
    void connectionsOverMaxConnectionsGetError1040InsteadOfTheHandshake() {
        EmbeddedRelay r = relay(limits(2, 100));
        EmbeddedChannel a = r.connect();
        EmbeddedChannel b = r.connect();
        handshake(a);
        login(b);
        EmbeddedChannel c = r.connect();
        byte[] err = onePacket(c);
        assertEquals(1040, errorCode(err));
        assertEquals("Too many connections", EmbeddedRelay.errorMessage(err));
        assertFalse(c.isActive());
        a.close();
        EmbeddedChannel d = r.connect();
        handshake(d);
        assertTrue(d.isActive());
        assertEquals(2, r.server.connectionCounts().openNow());
    }

    @Test
    void unauthenticatedConnectionsPerHostAreCapped() {
        EmbeddedRelay r = relay(limits(100, 2));
        EmbeddedChannel a = r.connect();
        EmbeddedChannel b = r.connect();
        EmbeddedChannel c = r.connect();
        handshake(a);
        assertEquals(1040, errorCode(onePacket(c)));
        assertFalse(c.isActive());
        login(b); // a login frees its host's slot
        EmbeddedChannel d = r.connect();
        handshake(d);
        assertTrue(d.isActive());
        assertTrue(r.warnings().stream().anyMatch(w -> w.contains("max_unauthenticated_per_host")), r.warnings().toString());
    }
}
