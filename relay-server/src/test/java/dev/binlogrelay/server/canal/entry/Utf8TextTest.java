package dev.binlogrelay.server.canal.entry;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Utf8Text against Java's own decoder and protobuf's encoder, the way EntryStream made the text before. */
class Utf8TextTest {
    /** One byte of each kind: ASCII, continuations of each range, every lead the rules single out, never-leads. */
    private static final int[] ALPHABET = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2,
            0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xF7, 0xF8, 0xFF};

    private static void check(byte[] b, int from, int to) {
        ByteString expected = ByteString.copyFromUtf8(new String(b, from, to - from, StandardCharsets.UTF_8));
        ByteString got = Utf8Text.of(b, from, to);
        if (!expected.equals(got)) {
            assertEquals(HexFormat.of().formatHex(expected.toByteArray()), HexFormat.of().formatHex(got.toByteArray()),
                    "of " + HexFormat.of().formatHex(Arrays.copyOfRange(b, from, to)));
        }
    }

    @Test
    void everyShortArrayAsJavasDecoderReplacesIt() {
        int k = ALPHABET.length;
        for (int len = 0; len <= 4; len++) {
            int total = (int) Math.pow(k, len);
            byte[] b = new byte[len + 2];
            b[0] = 'x';
            b[len + 1] = 'y';
            for (int n = 0; n < total; n++) {
                for (int i = 0, v = n; i < len; i++, v /= k) {
                    b[i + 1] = (byte) ALPHABET[v % k];
                }
                check(b, 1, len + 1); // alone
                check(b, 0, len + 2); // between ASCII
                check(b, 0, len + 1);
            }
        }
    }

    @Test
    void randomTextWithBinaryInItAsJavasDecoderReplacesIt() {
        Random r = new Random(13);
        for (int round = 0; round < 20_000; round++) {
            byte[] b = new byte[r.nextInt(64)];
            for (int i = 0; i < b.length; i++) {
                b[i] = switch (r.nextInt(4)) {
                    case 0 -> (byte) r.nextInt(256);
                    case 1 -> (byte) ALPHABET[r.nextInt(ALPHABET.length)];
                    case 2 -> (byte) (0x80 | r.nextInt(64));
                    default -> (byte) ('a' + r.nextInt(26));
                };
            }
            check(b, 0, b.length);
        }
        String text = "INSERT INTO t VALUES (1,'ü€𝄞',_binary '";
        byte[] t = text.getBytes(StandardCharsets.UTF_8);
        check(t, 0, t.length);
        check(t, 3, t.length - 2);
    }

    /** ASCII runs of every length around the eight-at-a-time skip, at each alignment, before other sequences. */
    @Test
    void asciiRunsOfEveryLengthAndAlignment() {
        byte[][] others = {{(byte) 0xC3, (byte) 0xA9}, {(byte) 0xFF}, {(byte) 0xE2, (byte) 0x82},
                {(byte) 0xF0, (byte) 0x9F, (byte) 0x98, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}};
        for (int run = 0; run <= 20; run++) {
            for (byte[] other : others) {
                java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
                for (int part = 0; part < 3; part++) {
                    for (int i = 0; i < run; i++) {
                        b.write('a' + (i + part) % 26);
                    }
                    b.writeBytes(other);
                }
                byte[] a = b.toByteArray();
                for (int from = 0; from < 9 && from <= a.length; from++) {
                    check(a, from, a.length);
                    check(a, from, Math.max(from, a.length - other.length));
                    check(a, from, Math.max(from, a.length - 1));
                }
            }
        }
    }
}
