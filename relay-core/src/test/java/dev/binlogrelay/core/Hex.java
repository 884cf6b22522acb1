package dev.binlogrelay.core;

import java.util.HexFormat;

/** Hex notation for expected bytes in tests. Spaces are ignored, so a test can group fields: {@code "FC FB00"}. */
public final class Hex {
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    private Hex() {
    }

    public static byte[] bytes(String hex) {
        return HEX.parseHex(hex.replace(" ", ""));
    }

    public static String of(byte[] bytes) {
        return HEX.formatHex(bytes);
    }
}
