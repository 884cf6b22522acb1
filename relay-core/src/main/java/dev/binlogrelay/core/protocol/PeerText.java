package dev.binlogrelay.core.protocol;

/**
 * Makes a string a peer sent (a user name, a file name, a statement, a GTID set) safe to put in a log line or an
 * error message: control characters are escaped, so a name cannot start a forged log line, and the text is cut
 * to a bound, so a 100 KB name costs a log line of a few hundred bytes. Only the kept prefix is looked at, so
 * the cost does not grow with the input.
 *
 * <pre>
 * \n \r \t \\          as written here
 * other C0/C1 controls, DEL, U+2028/U+2029 (line and paragraph separators), bidi overrides and isolates
 *                      \xNN (below U+0100) or \\uNNNN
 * longer than max      the first max characters, then "...[+N chars]"
 * </pre>
 */
public final class PeerText {
    /** Bound for names (users, files, variables, plugins). */
    public static final int NAME = 64;
    /** Bound for longer text (statements, GTID sets, positions). */
    public static final int TEXT = 256;

    private PeerText() {
    }

    /** A name, escaped and cut to {@link #NAME} characters; "NULL" for null. */
    public static String name(CharSequence s) {
        return escape(s, NAME);
    }

    /** Longer text, escaped and cut to {@link #TEXT} characters; "NULL" for null. */
    public static String text(CharSequence s) {
        return escape(s, TEXT);
    }

    /** Escapes control characters and keeps at most {@code max} characters of {@code s} ("NULL" for null). */
    public static String escape(CharSequence s, int max) {
        if (s == null) {
            return "NULL";
        }
        int keep = Math.min(s.length(), max);
        if (keep < s.length() && keep > 0 && Character.isHighSurrogate(s.charAt(keep - 1))) {
            keep--; // never half a surrogate pair
        }
        StringBuilder sb = null;
        for (int i = 0; i < keep; i++) {
            char c = s.charAt(i);
            String esc = escapeOf(c);
            if (esc != null && sb == null) {
                sb = new StringBuilder(keep + 16).append(s, 0, i);
            }
            if (sb != null) {
                if (esc != null) {
                    sb.append(esc);
                } else {
                    sb.append(c);
                }
            }
        }
        String out = sb != null ? sb.toString() : s.subSequence(0, keep).toString();
        return keep < s.length() ? out + "...[+" + (s.length() - keep) + " chars]" : out;
    }

    private static String escapeOf(char c) {
        switch (c) {
            case '\n':
                return "\\n";
            case '\r':
                return "\\r";
            case '\t':
                return "\\t";
            case '\\':
                return "\\\\";
            default:
                break;
        }
        if (c < 0x20 || c >= 0x7F && c < 0xA0) {
            return String.format("\\x%02X", (int) c);
        }
        if (c == '\u2028' || c == '\u2029' || c >= '\u202A' && c <= '\u202E' || c >= '\u2066' && c <= '\u2069'
                || c == '\u200E' || c == '\u200F' || c == '\u061C' || c == '\uFEFF') {
            return String.format("\\u%04X", (int) c);
        }
        return null;
    }
}
