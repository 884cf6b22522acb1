package dev.binlogrelay.server.config;

import dev.binlogrelay.core.ByteSizes;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsers for sizes ({@code 10G}, {@code 512M}, {@code 10737418240}; {@link ByteSizes}) and durations ({@code 7d}, {@code 30m}) in the config. */
public final class Quantities {
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d|w)?", Pattern.CASE_INSENSITIVE);

    private Quantities() {
    }

    /**
     * A byte count: a whole number, optionally followed by K, M, G or T (powers of 1024; {@code KB}, {@code KiB}
     * and a trailing {@code B} are accepted too).
     *
     * @throws IllegalArgumentException for anything else, or a value beyond 2^63-1 bytes
     */
    public static long bytes(String text) {
        return ByteSizes.parse(text);
    }

    /**
     * A duration: a whole number followed by ms, s, m, h, d or w (a bare number means seconds).
     *
     * @throws IllegalArgumentException for anything else
     */
    public static Duration duration(String text) {
        Matcher m = DURATION.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (a number with ms, s, m, h, d or w)");
        }
        try {
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2).toLowerCase(Locale.ROOT);
            return switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                case "w" -> Duration.ofDays(Math.multiplyExact(n, 7));
                default -> Duration.ofSeconds(n);
            };
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
    }
}
