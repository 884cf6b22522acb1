package dev.binlogrelay.core.protocol;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Timeout;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the login packets a peer sends: the handshake response a downstream client sends the relay (with connect
 * attributes), the auth switch request and the initial handshake a primary sends the relay's upstream client.
 *
 * <p>Contract: a decoder returns a value or throws {@link ProtocolException}; nothing else escapes (no
 * IndexOutOfBounds, IllegalArgument or NegativeArraySize from deep inside), and no field is larger than the packet.
 * Where the codec has an encoder, decoding what it encodes gives the same value.
 *
 * <p>Inputs: {@code src/test/resources/dev/binlogrelay/core/protocol/LoginPacketsFuzzTestInputs/<method>/}: payloads
 * captured from MariaDB and its client ({@link dev.binlogrelay.core.CapturedPackets}) and encoded by the relay.
 */
class LoginPacketsFuzzTest {
    @FuzzTest
    @Timeout(10)
    void handshakeResponse(byte[] payload) {
        HandshakeResponse41 r = decode(payload, HandshakeResponse41::decode);
        if (r == null) {
            return;
        }
        int attributeBytes = r.attributes().entrySet().stream().mapToInt(e -> e.getKey().length() + e.getValue().length()).sum();
        assertTrue(r.user().length() + r.authResponse().length + attributeBytes <= payload.length, "fields larger than the packet");
        ByteBuf encoded = r.encode(Codecs.ALLOC);
        try {
            HandshakeResponse41 again = HandshakeResponse41.decode(encoded);
            assertEquals(0, encoded.readableBytes(), "decoding the encoded response left bytes");
            assertEquals(r.capabilities(), again.capabilities());
            assertEquals(r.maxPacketSize(), again.maxPacketSize());
            assertEquals(r.characterSet(), again.characterSet());
            assertEquals(r.user(), again.user());
            assertArrayEquals(r.authResponse(), again.authResponse());
            // a response that ends before the database field has none; encoded, it has an empty one
            assertEquals(r.database() == null && (r.capabilities() & Capabilities.CONNECT_WITH_DB) != 0 ? "" : r.database(),
                    again.database());
            assertEquals(r.authPluginName(), again.authPluginName());
            assertEquals(r.attributes(), again.attributes());
        } finally {
            encoded.release();
        }
    }

    @FuzzTest
    @Timeout(10)
    void authSwitchRequest(byte[] payload) {
        AuthSwitchRequest r = decode(payload, AuthSwitchRequest::decode);
        if (r == null) {
            return;
        }
        assertTrue(r.data().length < payload.length, "plugin data larger than the packet");
        ByteBuf encoded = r.encode(Codecs.ALLOC);
        try {
            assertTrue(AuthSwitchRequest.is(encoded));
            AuthSwitchRequest again = AuthSwitchRequest.decode(encoded);
            assertEquals(r.pluginName(), again.pluginName());
            assertArrayEquals(r.data(), again.data());
        } finally {
            encoded.release();
        }
    }

    @FuzzTest
    @Timeout(10)
    void handshake(byte[] payload) {
        HandshakeV10 h = decode(payload, HandshakeV10::decode);
        if (h == null) {
            return;
        }
        assertNotNull(h.serverVersion());
        assertTrue(h.scramble().length >= 8 && h.scramble().length <= payload.length, "scramble of " + h.scramble().length + " bytes");
    }

    /** The decoded value, or null when the decoder refused the payload with a ProtocolException. */
    private static <T> T decode(byte[] payload, Function<ByteBuf, T> decoder) {
        ByteBuf in = Unpooled.wrappedBuffer(payload);
        try {
            T value = decoder.apply(in);
            assertNotNull(value);
            return value;
        } catch (ProtocolException e) {
            assertNotNull(e.getMessage());
            return null;
        }
    }
}
