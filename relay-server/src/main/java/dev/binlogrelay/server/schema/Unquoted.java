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
            // "$1" in the replacement stands for the match's first group (no other group syntax is used)
            out.append(sql, last, m.start()).append(replacement.contains("$1") ? replacement.replace("$1", m.group(1))
                    : replacement);
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
