package dev.binlogrelay.server.admin;

import java.util.Locale;

/**
 * A SQL LIKE pattern: {@code %} matches any run of characters, {@code _} exactly one, the escape character
 * (backslash unless {@code ESCAPE} names another) makes the next character literal. Matching ignores case, as
 * MySQL's default collations do for SHOW ... LIKE.
 */
final class LikePattern {
    private static final char ANY_RUN = '\uE000';
    private static final char ANY_ONE = '\uE001';

    private final String source;
    /** The pattern with wildcards replaced by private-use marker characters and escapes resolved. */
    private final String compiled;

    private LikePattern(String source, String compiled) {
        this.source = source;
        this.compiled = compiled;
    }

    static LikePattern of(String pattern) {
        return of(pattern, '\\');
    }

    static LikePattern of(String pattern, char escape) {
        StringBuilder out = new StringBuilder(pattern.length());
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == escape && i + 1 < pattern.length()) {
                out.append(Character.toLowerCase(pattern.charAt(++i)));
            } else if (c == '%') {
                out.append(ANY_RUN);
            } else if (c == '_') {
                out.append(ANY_ONE);
            } else {
                out.append(Character.toLowerCase(c));
            }
        }
        return new LikePattern(pattern, out.toString());
    }

    /** Greedy matching with backtracking to the last {@code %}: linear in practice, O(n·m) at worst. */
    boolean matches(String value) {
        if (value == null) {
            return false;
        }
        String s = value.toLowerCase(Locale.ROOT);
        int si = 0;
        int pi = 0;
        int star = -1;
        int starMatch = 0;
        while (si < s.length()) {
            if (pi < compiled.length() && compiled.charAt(pi) != ANY_RUN
                    && (compiled.charAt(pi) == ANY_ONE || compiled.charAt(pi) == s.charAt(si))) {
                si++;
                pi++;
            } else if (pi < compiled.length() && compiled.charAt(pi) == ANY_RUN) {
                star = pi++;
                starMatch = si;
            } else if (star >= 0) {
                pi = star + 1;
                si = ++starMatch;
            } else {
                return false;
            }
        }
        while (pi < compiled.length() && compiled.charAt(pi) == ANY_RUN) {
            pi++;
        }
        return pi == compiled.length();
    }

    @Override
    public String toString() {
        return source;
    }
}
