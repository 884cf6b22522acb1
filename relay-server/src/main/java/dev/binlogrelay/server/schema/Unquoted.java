package dev.binlogrelay.server.schema;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Replacing a pattern in SQL text only where it stands outside quotes ('…', "…", `…`) and comments. */
final class Unquoted {
    private Unquoted() {
    }

    /** {@code sql} with every match of {@code p} that lies wholly outside quotes and comments replaced. */
    static String replace(String sql, Pattern p, String replacement) {
        boolean[] quoted = quotedMask(sql);
        Matcher m = p.matcher(sql);
        StringBuilder out = new StringBuilder(sql.length());
        int last = 0;
        while (m.find()) {
            boolean inside = false;
            for (int i = m.start(); i < m.end() && !inside; i++) {
                inside = quoted[i];
            }
            if (inside) {
                continue;
            }
            // "$n" in the replacement stands for the match's group n (1 to 9; no other group syntax is used)
            String rep = replacement;
            for (int g = Math.min(9, m.groupCount()); g >= 1; g--) {
                rep = rep.replace("$" + g, m.group(g) == null ? "" : m.group(g));
            }
            out.append(sql, last, m.start()).append(rep);
            last = m.end();
        }
        return out.append(sql, last, sql.length()).toString();
    }

    /** true for every character inside a quoted string, a quoted name or a comment. */
    static boolean[] quotedMask(String sql) {
        boolean[] mask = new boolean[sql.length()];
        int i = 0;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            int end = -1;
            if (c == '\'' || c == '"' || c == '`') {
                end = i + 1;
                while (end < sql.length()) {
                    char d = sql.charAt(end);
                    if (d == '\\' && c != '`') {
                        end += 2;
                        continue;
                    }
                    if (d == c) {
                        if (end + 1 < sql.length() && sql.charAt(end + 1) == c) {
                            end += 2;
                            continue;
                        }
                        break;
                    }
                    end++;
                }
                end = Math.min(end + 1, sql.length());
            } else if (c == '/' && i + 1 < sql.length() && sql.charAt(i + 1) == '*') {
                int close = sql.indexOf("*/", i + 2);
                end = close < 0 ? sql.length() : close + 2;
            } else if (c == '#' || (c == '-' && sql.startsWith("-- ", i))) {
                int nl = sql.indexOf('\n', i);
                end = nl < 0 ? sql.length() : nl;
            }
            if (end < 0) {
                i++;
                continue;
            }
            for (int k = i; k < end; k++) {
                mask[k] = true;
            }
            i = end;
        }
        return mask;
    }
}
