package dev.binlogrelay.server.canal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/**
 * A subscription filter in Canal's syntax: regular expressions separated by commas (a comma inside {@code {}},
 * {@code []} or {@code ()} belongs to its expression, as in {@code \d{1,2}}), each matched against the whole
 * {@code schema.table}, ignoring case. An empty filter matches every table; so does an entry without a table name
 * (transaction begin and end).
 *
 * <p>Filters come from clients, so they are matched with RE2/J, in time linear in the name: no filter can make a
 * reader thread backtrack for ever. RE2's syntax is Perl's without backreferences and lookaround, which Canal's
 * filters (names, dots, character classes, alternations) do not use. Case is ignored the way Canal ignores it for
 * names (it lowercases them), and by lowercasing the filter's literal letters (escapes such as {@code \S} or
 * {@code \p{Lu}} stay as written) rather than with RE2/J's case-insensitive flag, whose case folding of a wide
 * character range ({@code [ -\x{2fff}]}) takes minutes to compile.
 */
public final class CanalFilter {
    public static final CanalFilter ALL = new CanalFilter("", null);
    /** Longest filter accepted (a table list of a few hundred names fits). */
    static final int MAX_LENGTH = 16 * 1024;
    /** Largest product of the counts of {@code {n}} repetitions: RE2/J's program grows with it (10,000: a few ms). */
    static final long MAX_REPETITION = 10_000;

    private final String text;
    private final Pattern pattern;

    private CanalFilter(String text, Pattern pattern) {
        this.text = text;
        this.pattern = pattern;
    }

    /** @throws IllegalArgumentException naming the part that is not a regular expression */
    public static CanalFilter parse(String text) {
        if (text == null || text.isEmpty()) {
            return ALL;
        }
        if (text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("a filter of " + text.length() + " characters: at most " + MAX_LENGTH);
        }
        checkRepetitions(text);
        List<String> parts = split(text);
        if (parts.isEmpty()) {
            return ALL;
        }
        parts.sort(Comparator.comparingInt(String::length).reversed());
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < parts.size(); i++) {
            parts.set(i, lowerLiterals(parts.get(i)));
        }
        for (String part : parts) {
            try {
                Pattern.compile(part);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("'" + part + "' is not a regular expression: " + e.getDescription());
            }
            all.append(all.length() == 0 ? "" : "|").append("^(?:").append(part).append(")$");
        }
        try {
            return new CanalFilter(text, Pattern.compile(all.toString(), Pattern.DOTALL));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("'" + text + "' is not a list of regular expressions: " + e.getDescription());
        }
    }

    /** {@code part} with its literal letters lowercased; escapes ({@code \S}, {@code \p{Lu}}, {@code \x{41}}) as written. */
    static String lowerLiterals(String part) {
        StringBuilder b = new StringBuilder(part.length());
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (c != '\\' || i + 1 == part.length()) {
                b.append(Character.toLowerCase(c));
                continue;
            }
            char e = part.charAt(++i);
            b.append(c).append(e);
            if ((e == 'p' || e == 'P' || e == 'x') && i + 1 < part.length()) {
                if (part.charAt(i + 1) == '{') {
                    int close = part.indexOf('}', i + 1);
                    int end = close < 0 ? part.length() : close + 1;
                    b.append(part, i + 1, end);
                    i = end - 1;
                } else if (e != 'x') {
                    b.append(part.charAt(++i));
                }
            }
        }
        return b.toString();
    }

    /**
     * Refuses counted repetitions whose counts multiply beyond {@link #MAX_REPETITION} (over the whole filter, nested
     * or not): {@code ((a{1000}){1000}){1000}} would make RE2/J build a program of a billion instructions.
     */
    static void checkRepetitions(String text) {
        long product = 1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                i++;
                continue;
            }
            if (c != '{') {
                continue;
            }
            int j = i + 1;
            long count = 0;
            long current = 0;
            while (j < text.length() && (text.charAt(j) >= '0' && text.charAt(j) <= '9' || text.charAt(j) == ',')) {
                char d = text.charAt(j++);
                if (d == ',') {
                    count = Math.max(count, current);
                    current = 0;
                } else {
                    current = Math.min(current * 10 + (d - '0'), MAX_REPETITION + 1);
                }
            }
            count = Math.max(count, current);
            if (j > i + 1 && j < text.length() && text.charAt(j) == '}') {
                product = Math.min(product * Math.max(1, count), MAX_REPETITION + 1);
                if (product > MAX_REPETITION) {
                    throw new IllegalArgumentException("counted repetitions ({n}) multiplying to more than " + MAX_REPETITION);
                }
            }
        }
    }

    static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                i++;
            } else if (c == '{' || c == '[' || c == '(') {
                depth++;
            } else if ((c == '}' || c == ']' || c == ')') && depth > 0) {
                depth--;
            } else if (c == ',' && depth == 0) {
                if (i > start) {
                    out.add(text.substring(start, i));
                }
                start = i + 1;
            }
        }
        if (start < text.length()) {
            out.add(text.substring(start));
        }
        return out;
    }

    /** True if the filter lets the entries of {@code schema.table} through; a missing name always passes. */
    public boolean matches(String schema, String table) {
        if (pattern == null || schema == null || schema.isEmpty() || table == null || table.isEmpty()) {
            return true;
        }
        return pattern.matcher((schema + "." + table).toLowerCase(Locale.ROOT)).matches();
    }

    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text.isEmpty() ? "(all tables)" : text;
    }
}
