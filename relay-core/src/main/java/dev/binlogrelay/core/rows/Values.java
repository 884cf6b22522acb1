package dev.binlogrelay.core.rows;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;

/**
 * The value types of decoded columns that Java has no exact type for. Every other column decodes to a JDK type
 * (see {@link ColumnValues}). {@code toString()} gives MySQL's text form of the value.
 */
public final class Values {
    private Values() {
    }

    /** DATE: zero parts are kept ({@code 0000-00-00} and partial zero dates are valid MySQL values). */
    public record DateValue(int year, int month, int day) {
        @Override
        public String toString() {
            return date(new StringBuilder(10), year, month, day).toString();
        }
    }

    /** TIME (-838:59:59 .. 838:59:59) with {@code fsp} fractional digits (0..6). */
    public record TimeValue(boolean negative, int hours, int minutes, int seconds, int micros, int fsp) {
        @Override
        public String toString() {
            StringBuilder b = new StringBuilder(16);
            if (negative) {
                b.append('-');
            }
            return time(b, hours, minutes, seconds).append(fraction(micros, fsp)).toString();
        }
    }

    /** DATETIME with {@code fsp} fractional digits; zero dates are kept. */
    public record DateTimeValue(int year, int month, int day, int hour, int minute, int second, int micros, int fsp) {
        @Override
        public String toString() {
            return dateTime(new StringBuilder(26), year, month, day, hour, minute, second)
                    .append(fraction(micros, fsp)).toString();
        }
    }

    /** TIMESTAMP: seconds since the epoch in UTC (0 is MySQL's zero timestamp) with {@code fsp} digits. */
    public record TimestampValue(long epochSecond, int micros, int fsp) {
        public Instant instant() {
            return Instant.ofEpochSecond(epochSecond, micros * 1000L);
        }

        /** The value as a session in {@code zone} would SELECT it. */
        public String text(ZoneId zone) {
            if (epochSecond == 0 && micros == 0) {
                return "0000-00-00 00:00:00" + fraction(0, fsp);
            }
            LocalDateTime t = LocalDateTime.ofInstant(instant(), zone);
            return dateTime(new StringBuilder(26), t.getYear(), t.getMonthValue(), t.getDayOfMonth(), t.getHour(),
                    t.getMinute(), t.getSecond()).append(fraction(micros, fsp)).toString();
        }

        @Override
        public String toString() {
            return text(ZoneId.of("UTC"));
        }
    }

    /** ENUM: the 1-based index (0 is the '' error value) and its name when the TABLE_MAP listed the values. */
    public record EnumValue(int index, String name) {
        @Override
        public String toString() {
            return name != null ? name : Integer.toString(index);
        }
    }

    /** SET: the member bits, and the members' names when the TABLE_MAP listed the values. */
    public record SetValue(long bits, List<String> names) {
        @Override
        public String toString() {
            return names != null ? String.join(",", names) : Long.toUnsignedString(bits);
        }
    }

    /** GEOMETRY: the SRID and the WKB that follow it in MySQL's internal format. */
    public record GeometryValue(int srid, byte[] wkb) {
        @Override
        public boolean equals(Object o) {
            return o instanceof GeometryValue g && g.srid == srid && Arrays.equals(g.wkb, wkb);
        }

        @Override
        public int hashCode() {
            return srid * 31 + Arrays.hashCode(wkb);
        }

        @Override
        public String toString() {
            return "GEOMETRY(srid " + srid + ", " + wkb.length + " bytes of WKB)";
        }
    }

    /**
     * A JSON column of a PARTIAL_UPDATE_ROWS after image that carries changes instead of the document.
     * The changes are in MySQL's order; applying them needs the before image's document.
     */
    public record JsonDiffs(List<JsonDiff> diffs) {
        public JsonDiffs {
            diffs = List.copyOf(diffs);
        }
    }

    /** One change of a partial JSON update: operation, MySQL JSON path, new value as JSON text (null for REMOVE). */
    public record JsonDiff(Operation op, String path, String value) {
        public enum Operation { REPLACE, INSERT, REMOVE }
    }

    static String fraction(int micros, int fsp) {
        if (fsp <= 0) {
            return "";
        }
        String six = padded(new StringBuilder(7).append('.'), micros, 6).toString();
        return six.substring(0, 1 + Math.min(6, fsp));
    }

    /** {@code b} with "YYYY-MM-DD hh:mm:ss" appended (each part zero-padded, as {@code %04d} and {@code %02d}). */
    public static StringBuilder dateTime(StringBuilder b, int year, int month, int day, int hour, int minute, int second) {
        return time(date(b, year, month, day).append(' '), hour, minute, second);
    }

    private static StringBuilder date(StringBuilder b, int year, int month, int day) {
        return padded(padded(padded(b, year, 4).append('-'), month, 2).append('-'), day, 2);
    }

    private static StringBuilder time(StringBuilder b, int hours, int minutes, int seconds) {
        return padded(padded(padded(b, hours, 2).append(':'), minutes, 2).append(':'), seconds, 2);
    }

    /** {@code b} with {@code v} appended, zero-padded to {@code width} digits as {@code %0<width>d} does. */
    public static StringBuilder padded(StringBuilder b, int v, int width) {
        if (v < 0) {
            return b.append(String.format("%0" + width + "d", v)); // not a date part: as the format would print it
        }
        for (int limit = 10, digits = 1; digits < width; digits++, limit *= 10) {
            if (v < limit) {
                b.append('0');
            }
        }
        return b.append(v);
    }
}
