package dev.binlogrelay.core.rows;

import java.math.BigDecimal;

/** How MySQL writes JSON scalars as text: string escapes, doubles, and the temporal values opaque JSON holds. */
final class JsonText {
    private JsonText() {
    }

    /** A JSON string literal: quotes, backslash and control characters escaped as MySQL's JSON printer does. */
    static void quote(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        out.append(String.format("\\u%04x", (int) ch));
                    } else {
                        out.append(ch);
                    }
                }
            }
        }
        out.append('"');
    }

    /**
     * A double as MySQL prints it in JSON: the shortest text that reads back as the same double, with ".0" for a
     * whole number and an exponent written {@code 1e100} / {@code 1e-7}.
     */
    static String dbl(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return "null"; // MySQL cannot store these in JSON; keep the text valid
        }
        String s = Double.toString(d);
        int e = s.indexOf('E');
        if (e < 0) {
            return s;
        }
        String mantissa = s.substring(0, e);
        if (mantissa.endsWith(".0")) {
            mantissa = mantissa.substring(0, mantissa.length() - 2);
        }
        int exp = Integer.parseInt(s.substring(e + 1));
        if (exp > -5 && exp < 15) {
            String plain = new BigDecimal(s).toPlainString();
            return plain.contains(".") ? plain : plain + ".0";
        }
        return mantissa + "e" + exp;
    }

    /** MySQL's packed temporal (sql-common/my_time.cc, TIME_to_longlong_*_packed) as MySQL's JSON prints it. */
    static String packedTemporal(int fieldType, long packed) {
        boolean neg = packed < 0;
        long a = Math.abs(packed);
        long frac = a % (1L << 24);
        long intpart = a >> 24;
        String micros = String.format(".%06d", frac);
        if (fieldType == ColumnType.TIME) {
            long hms = intpart;
            return (neg ? "-" : "") + String.format("%02d:%02d:%02d", (hms >> 12) % (1 << 10), (hms >> 6) % (1 << 6),
                    hms % (1 << 6)) + micros;
        }
        long ymd = intpart >> 17;
        long ym = ymd >> 5;
        long hms = intpart % (1 << 17);
        String date = String.format("%04d-%02d-%02d", ym / 13, ym % 13, ymd % (1 << 5));
        if (fieldType == ColumnType.DATE) {
            return date;
        }
        return date + String.format(" %02d:%02d:%02d", hms >> 12, (hms >> 6) % (1 << 6), hms % (1 << 6)) + micros;
    }
}
