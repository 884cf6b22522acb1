package dev.binlogrelay.core;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one parser of byte sizes written by people: the config ({@code storage.retention.max_bytes: 10G}), the bench's
 * options ({@code --binlog-size 1G}) and test servers' options all read {@code 10737418240}, {@code 512M}, {@code 64MiB}.
 */
public final class ByteSizes {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmgt]?)(i?b)?", Pattern.CASE_INSENSITIVE);

    private ByteSizes() {
    }

    /**
     * A byte count: a whole number, optionally followed by K, M, G or T (powers of 1024; {@code KB}, {@code KiB}
     * and a trailing {@code B} are accepted too).
     *
     * @throws IllegalArgumentException for anything else, or a value beyond 2^63-1 bytes
     */
    public static long parse(String text) {
        Matcher m = SIZE.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size (a number of bytes, or a number with K, M, G or T)");
        }
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        try {
            long n = Long.parseLong(m.group(1));
            if (n > (Long.MAX_VALUE >> shift)) {
                throw new NumberFormatException();
            }
            return n << shift;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
    }
}
