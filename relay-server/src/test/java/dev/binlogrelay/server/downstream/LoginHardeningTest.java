package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.auth.AuthPlugin;
import dev.binlogrelay.core.auth.CachingSha2Password;
import dev.binlogrelay.core.auth.NativePassword;
import dev.binlogrelay.core.protocol.AuthSwitchRequest;
import dev.binlogrelay.core.protocol.Capabilities;
import dev.binlogrelay.core.protocol.HandshakeV10;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.binlogrelay.server.downstream.EmbeddedRelay.errorCode;
import static dev.binlogrelay.server.downstream.EmbeddedRelay.errorMessage;
import static dev.binlogrelay.server.downstream.EmbeddedRelay.handshake;
import static dev.binlogrelay.server.downstream.EmbeddedRelay.onePacket;
import static dev.binlogrelay.server.downstream.EmbeddedRelay.packets;
import static dev.binlogrelay.server.downstream.EmbeddedRelay.response;
import static dev.binlogrelay.server.downstream.EmbeddedRelay.send;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 16 findings 5, 6, 7 ("What must be true" 4 and 6): unknown and known users go through the same exchange;
 * repeated failures from a host delay its logins; a malformed handshake response is answered with ERR 1043 and
 * one WARN line; peer strings are escaped and cut in logs and errors; refusals are rate-limited in the log.
 */
class LoginHardeningTest {
    private EmbeddedRelay relay;

    private EmbeddedRelay relay(AuthPlugin announced, int failureThreshold, Duration maxDelay) {
        relay = new EmbeddedRelay(new DownstreamLimits(16 << 20, 64 << 10, Duration.ofSeconds(60), Duration.ofHours(8), 1000,
                1000, failureThreshold, maxDelay, 1 << 20), announced);
        return relay;
    }

    @AfterEach
    void close() {
        if (relay != null) {
            relay.close();
        }
    }

    /** What a client offering {@code plugin} sees when logging in as {@code user} with a wrong password. */
    private static List<String> exchange(EmbeddedRelay r, String user, String plugin) {
        EmbeddedChannel ch = r.connect();
        HandshakeV10 hs = handshake(ch);
        byte[] auth = plugin.equals(CachingSha2Password.PLUGIN) ? CachingSha2Password.scramble("wrong", hs.scramble())
                : "wrong".getBytes();
        send(ch, 1, response(user, auth, plugin));
        List<String> seen = new java.util.ArrayList<>();
        int seq = 3;
        for (int round = 0; round < 3; round++) {
            List<byte[]> out = packets(ch);
            if (out.isEmpty()) {
                break;
            }
            byte[] p = out.get(0);
            if ((p[0] & 0xFF) == AuthSwitchRequest.HEADER) {
                AuthSwitchRequest sw = AuthSwitchRequest.decode(Unpooled.wrappedBuffer(p));
                assertArrayEquals(Arrays.copyOf(hs.scramble(), 20), Arrays.copyOf(sw.data(), 20),
                        "the switch carries the connection's scramble, whoever the user is");
                seen.add("switch to " + sw.pluginName());
                send(ch, seq, NativePassword.scramble("wrong", hs.scramble()));
                seq += 2;
            } else if (errorCode(p) > 0) {
                seen.add("ERR " + errorCode(p) + ": " + errorMessage(p).replace("'" + user + "'", "'U'"));
            } else {
                seen.add("packet " + (p[0] & 0xFF));
            }
        }
        return seen;
    }

    @Test
    void unknownUsersGetTheSameExchangeAsKnownOnes() {
        EmbeddedRelay r = relay(AuthPlugin.MYSQL_NATIVE_PASSWORD, 0, Duration.ZERO);
        for (String plugin : List.of(CachingSha2Password.PLUGIN, "dialog", "client_ed25519", NativePassword.PLUGIN)) {
            List<String> known = exchange(r, EmbeddedRelay.USER, plugin);
            List<String> unknown = exchange(r, "nobody", plugin);
            assertEquals(known, unknown, "offering " + plugin);
            assertTrue(known.get(known.size() - 1).startsWith("ERR 1045: Access denied for user 'U'"), known.toString());
            if (!plugin.equals(NativePassword.PLUGIN)) {
                assertEquals("switch to mysql_native_password", known.get(0), plugin);
            }
        }
        EmbeddedRelay sha2 = new EmbeddedRelay(new DownstreamLimits(16 << 20, 64 << 10, Duration.ofSeconds(60),
                Duration.ofHours(8), 1000, 1000, 0, Duration.ZERO, 1 << 20), AuthPlugin.CACHING_SHA2_PASSWORD);
        try {
            for (String plugin : List.of(CachingSha2Password.PLUGIN, "dialog", NativePassword.PLUGIN)) {
                assertEquals(exchange(sha2, EmbeddedRelay.USER, plugin), exchange(sha2, "nobody", plugin), "offering " + plugin);
            }
        } finally {
            sha2.close();
        }
    }

    @Test
    void aMalformedConnectAttributesLengthIsBadHandshakeAndOneWarnLine() {
        EmbeddedRelay r = relay(AuthPlugin.MYSQL_NATIVE_PASSWORD, 0, Duration.ZERO);
        EmbeddedChannel ch = r.connect();
        handshake(ch);
        byte[] ok = response(EmbeddedRelay.USER, new byte[20], NativePassword.PLUGIN);
        byte[] hostile = Arrays.copyOf(ok, ok.length + 9);
        int caps = (ok[0] & 0xFF | (ok[1] & 0xFF) << 8 | (ok[2] & 0xFF) << 16 | (ok[3] & 0xFF) << 24) | Capabilities.CONNECT_ATTRS;
        for (int i = 0; i < 4; i++) {
            hostile[i] = (byte) (caps >>> (8 * i));
        }
        hostile[ok.length] = (byte) 0xFE;
        Arrays.fill(hostile, ok.length + 1, hostile.length, (byte) 0xFF); // 2^64 - 1 bytes of attributes
        send(ch, 1, hostile);
        byte[] err = onePacket(ch);
        assertEquals(1043, errorCode(err));
        assertEquals("Bad handshake", errorMessage(err));
        assertFalse(ch.isActive());
        assertEquals(List.of(), r.errorsOrStackTraces().stream().map(Object::toString).toList(), "no ERROR, no stack trace");
        List<String> warns = r.warnings();
        assertEquals(1, warns.size(), warns.toString());
        assertTrue(warns.get(0).contains("bad handshake response: connect attributes of 18446744073709551615 bytes"), warns.get(0));
    }

    @Test
    void peerStringsAreEscapedAndCutInLogsAndErrors() {
        EmbeddedRelay r = relay(AuthPlugin.MYSQL_NATIVE_PASSWORD, 0, Duration.ZERO);
        String forged = "x' from 10.0.0.1: wrong password\n01:00:00.000 [main] INFO  dev.binlogrelay.server.Relay - all is well";
        List<String> seen = exchange(r, forged, NativePassword.PLUGIN);
        assertEquals(1, seen.size());
        String huge = "u".repeat(60_000);
        EmbeddedChannel ch = r.connect();
        handshake(ch);
        send(ch, 1, response(huge, new byte[20], NativePassword.PLUGIN));
        byte[] err = onePacket(ch);
        assertEquals(1045, errorCode(err));
        assertTrue(errorMessage(err).length() < 300, "the 60 KB name is not echoed whole: " + errorMessage(err).length());
        assertTrue(errorMessage(err).contains("...[+"), errorMessage(err));
        List<String> warns = r.warnings();
        assertEquals(2, warns.size(), warns.toString());
        for (String w : warns) {
            assertFalse(w.contains("\n"), w);
            assertTrue(w.length() < 500, "a short log line: " + w.length());
        }
        assertTrue(warns.get(0).contains("wrong password\\n01:00:00.000"), warns.get(0));
    }

    @Test
    void refusalsAreRateLimitedInTheLog() {
        EmbeddedRelay r = relay(AuthPlugin.MYSQL_NATIVE_PASSWORD, 0, Duration.ZERO);
        for (int i = 0; i < 60; i++) {
            EmbeddedChannel ch = r.connect();
            handshake(ch);
            send(ch, 1, new byte[]{1, 2, 3});
            assertEquals(1043, errorCode(onePacket(ch)));
        }
        assertEquals(RejectionLog.PER_WINDOW, r.warnings().size(), "at most " + RejectionLog.PER_WINDOW + " lines per window");
        assertEquals(List.of(), r.errorsOrStackTraces().stream().map(Object::toString).toList());
    }

    /** One login from the embedded host with that password; returns the channel after the response was sent. */
    private static EmbeddedChannel attempt(EmbeddedRelay r, String password) {
        EmbeddedChannel ch = r.connect();
        HandshakeV10 hs = handshake(ch);
        send(ch, 1, response(EmbeddedRelay.USER, NativePassword.scramble(password, hs.scramble()), NativePassword.PLUGIN));
        return ch;
    }

    @Test
    void repeatedFailuresFromAHostDelayItsLoginsExponentially() {
        EmbeddedRelay r = relay(AuthPlugin.MYSQL_NATIVE_PASSWORD, 2, Duration.ofSeconds(3));
        for (int i = 0; i < 2; i++) {
            assertEquals(1045, errorCode(onePacket(attempt(r, "wrong"))), "below the threshold: answered at once");
        }
        EmbeddedChannel third = attempt(r, "wrong");
        assertEquals(List.of(), packets(third), "held back");
        third.advanceTimeBy(1, TimeUnit.SECONDS);
        third.runScheduledPendingTasks();
        assertEquals(1045, errorCode(onePacket(third)), "after 1 s");

        EmbeddedChannel fourth = attempt(r, "wrong");
        fourth.advanceTimeBy(1, TimeUnit.SECONDS);
        fourth.runScheduledPendingTasks();
        assertEquals(List.of(), packets(fourth), "the next delay is 2 s");
        fourth.advanceTimeBy(1, TimeUnit.SECONDS);
        fourth.runScheduledPendingTasks();
        assertEquals(1045, errorCode(onePacket(fourth)));

        // the right password is held back just as long (3 s: the maximum), then the host's failures are forgotten
        EmbeddedChannel right = attempt(r, EmbeddedRelay.PASSWORD);
        right.advanceTimeBy(2, TimeUnit.SECONDS);
        right.runScheduledPendingTasks();
        assertEquals(List.of(), packets(right));
        right.advanceTimeBy(1, TimeUnit.SECONDS);
        right.runScheduledPendingTasks();
        assertEquals(0, onePacket(right)[0], "OK");
        assertEquals(1045, errorCode(onePacket(attempt(r, "wrong"))), "answered at once again");
        assertTrue(r.metrics.registry().scrape().stream().anyMatch(m -> m.getMetadata().getPrometheusName()
                .equals("binlog_relay_downstream_auth_delayed")), "the delay metric is registered");
        assertEquals(3.0, delayedLogins(r));
    }

    private static double delayedLogins(EmbeddedRelay r) {
        return r.metrics.registry().scrape().stream()
                .filter(m -> m.getMetadata().getPrometheusName().equals("binlog_relay_downstream_auth_delayed"))
                .mapToDouble(m -> ((io.prometheus.metrics.model.snapshots.CounterSnapshot) m).getDataPoints().get(0).getValue())
                .sum();
    }
}
