package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.auth.AuthPlugin;
import dev.binlogrelay.core.auth.CachingSha2Password;
import dev.binlogrelay.core.auth.NativePassword;
import dev.binlogrelay.core.protocol.AuthSwitchRequest;
import dev.binlogrelay.core.protocol.Commands;
import dev.binlogrelay.core.protocol.ErrorCodes;
import dev.binlogrelay.core.protocol.HandshakeV10;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static dev.binlogrelay.server.downstream.EmbeddedRelay.PASSWORD;
import static dev.binlogrelay.server.downstream.EmbeddedRelay.USER;
import static dev.binlogrelay.server.downstream.EmbeddedRelay.errorCode;
import static dev.binlogrelay.server.downstream.EmbeddedRelay.errorMessage;
import static dev.binlogrelay.server.downstream.EmbeddedRelay.frames;
import static dev.binlogrelay.server.downstream.EmbeddedRelay.handshake;
import static dev.binlogrelay.server.downstream.EmbeddedRelay.response;
import static dev.binlogrelay.server.downstream.EmbeddedRelay.send;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link LoginHandler} on an {@link EmbeddedChannel} with the server's real pipeline: the sequence ids of the
 * exchange, the auth switch, and what a packet out of sequence does. (Refusals, throttling and the plugins' own
 * exchanges: {@link LoginHardeningTest}, {@link LoginLimitsTest}, {@link CachingSha2LoginTest}.)
 */
@Timeout(10)
class LoginHandlerTest {
    private final EmbeddedRelay relay = new EmbeddedRelay(DownstreamLimits.defaults(16 << 20), AuthPlugin.MYSQL_NATIVE_PASSWORD);

    @AfterEach
    void close() {
        relay.close();
    }

    @Test
    void aLoginWithTheAnnouncedPluginGetsOkAsPacket2AndTheConnectionMovesToTheCommandPhase() {
        EmbeddedChannel ch = relay.connect();
        List<EmbeddedRelay.Packet> hello = frames(ch);
        assertEquals(1, hello.size());
        assertEquals(0, hello.get(0).seq(), "the handshake opens the exchange");
        HandshakeV10 hs = HandshakeV10.decode(Unpooled.wrappedBuffer(hello.get(0).payload()));
        assertEquals(NativePassword.PLUGIN, hs.authPluginName());
        send(ch, 1, response(USER, NativePassword.scramble(PASSWORD, hs.scramble()), NativePassword.PLUGIN));
        List<EmbeddedRelay.Packet> ok = frames(ch);
        assertEquals(1, ok.size());
        assertEquals(2, ok.get(0).seq());
        assertEquals(0, ok.get(0).first(), "OK");
        assertInstanceOf(ClientSession.class, ch.pipeline().get(DownstreamServer.SESSION), "the login handler replaced itself");
        // the command phase numbers each command's exchange from 0 again
        send(ch, 0, new byte[] {Commands.COM_PING});
        List<EmbeddedRelay.Packet> pong = frames(ch);
        assertEquals(1, pong.get(0).seq());
        assertEquals(0, pong.get(0).first());
        assertTrue(ch.isOpen());
        ch.finishAndReleaseAll();
    }

    /** A client offering another plugin is switched to the user's, with the same scramble, and logs in with it. */
    @Test
    void anAuthSwitchCarriesTheScrambleAndTheSwitchedResponseLogsIn() {
        EmbeddedChannel ch = relay.connect();
        HandshakeV10 hs = handshake(ch);
        send(ch, 1, response(USER, CachingSha2Password.scramble(PASSWORD, hs.scramble()), CachingSha2Password.PLUGIN));
        List<EmbeddedRelay.Packet> sw = frames(ch);
        assertEquals(1, sw.size());
        assertEquals(2, sw.get(0).seq());
        assertEquals(AuthSwitchRequest.HEADER, sw.get(0).first());
        AuthSwitchRequest request = AuthSwitchRequest.decode(Unpooled.wrappedBuffer(sw.get(0).payload()));
        assertEquals(NativePassword.PLUGIN, request.pluginName());
        assertArrayEquals(java.util.Arrays.copyOf(hs.scramble(), 20), java.util.Arrays.copyOf(request.data(), 20));
        assertInstanceOf(LoginHandler.class, ch.pipeline().get(DownstreamServer.SESSION), "still logging in");
        send(ch, 3, NativePassword.scramble(PASSWORD, request.data()));
        List<EmbeddedRelay.Packet> ok = frames(ch);
        assertEquals(4, ok.get(0).seq());
        assertEquals(0, ok.get(0).first(), "OK");
        assertInstanceOf(ClientSession.class, ch.pipeline().get(DownstreamServer.SESSION));
        ch.finishAndReleaseAll();
    }

    @Test
    void aHandshakeResponseWithTheWrongSequenceIdIsAMalformedPacket() {
        EmbeddedChannel ch = relay.connect();
        HandshakeV10 hs = handshake(ch);
        send(ch, 2, response(USER, NativePassword.scramble(PASSWORD, hs.scramble()), NativePassword.PLUGIN));
        byte[] err = EmbeddedRelay.onePacket(ch);
        assertEquals(ErrorCodes.ER_NET_PACKETS_OUT_OF_ORDER, errorCode(err));
        assertEquals("Malformed packet: packet sequence id 2 where 1 was expected", errorMessage(err));
        assertFalse(ch.isOpen());
        assertTrue(relay.warnings().stream().anyMatch(w -> w.contains("during login")
                && w.contains("packet sequence id 2 where 1 was expected")), "refused by the login handler: " + relay.warnings());
        ch.finishAndReleaseAll();
    }

    @Test
    void anAuthSwitchResponseWithTheWrongSequenceIdIsAMalformedPacket() {
        EmbeddedChannel ch = relay.connect();
        HandshakeV10 hs = handshake(ch);
        send(ch, 1, response(USER, new byte[0], "dialog"));
        AuthSwitchRequest request = AuthSwitchRequest.decode(Unpooled.wrappedBuffer(EmbeddedRelay.onePacket(ch)));
        send(ch, 1, NativePassword.scramble(PASSWORD, request.data())); // a client that restarted its count
        byte[] err = EmbeddedRelay.onePacket(ch);
        assertEquals(ErrorCodes.ER_NET_PACKETS_OUT_OF_ORDER, errorCode(err));
        assertEquals("Malformed packet: packet sequence id 1 where 3 was expected", errorMessage(err));
        assertFalse(ch.isOpen());
        assertTrue(relay.warnings().stream().anyMatch(w -> w.contains("during login (user 'repl')")
                && w.contains("packet sequence id 1 where 3 was expected")), "refused by the login handler: " + relay.warnings());
        ch.finishAndReleaseAll();
    }

    /** A response split at every byte is one response: the decoder joins it before the handler sees it. */
    @Test
    void aHandshakeResponseFedOneByteAtATimeLogsIn() {
        EmbeddedChannel ch = relay.connect();
        HandshakeV10 hs = handshake(ch);
        byte[] payload = response(USER, NativePassword.scramble(PASSWORD, hs.scramble()), NativePassword.PLUGIN);
        byte[] wire = new byte[4 + payload.length];
        wire[0] = (byte) payload.length;
        wire[1] = (byte) (payload.length >> 8);
        wire[3] = 1;
        System.arraycopy(payload, 0, wire, 4, payload.length);
        for (int i = 0; i < wire.length; i++) {
            assertTrue(frames(ch).isEmpty(), "an answer before the whole response arrived, at byte " + i);
            ch.writeInbound(Unpooled.wrappedBuffer(wire, i, 1));
        }
        List<EmbeddedRelay.Packet> ok = frames(ch);
        assertEquals(1, ok.size());
        assertEquals(0, ok.get(0).first());
        assertInstanceOf(ClientSession.class, ch.pipeline().get(DownstreamServer.SESSION));
        ch.finishAndReleaseAll();
    }
}
