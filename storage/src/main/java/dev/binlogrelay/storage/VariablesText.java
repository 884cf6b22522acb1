package dev.binlogrelay.storage;

import java.util.Map;
import java.util.Objects;

/**
 * How {@link StoreState} keeps the upstream's variables in one metadata value: a {@code name=value} line per
 * variable, in the given order, with backslash, newline and {@code =} escaped by a backslash.
 */
final class VariablesText {
    private VariablesText() {
    }

    static String encode(Map<String, String> variables) {
        StringBuilder b = new StringBuilder();
        variables.forEach((name, value) -> {
            escape(b, Objects.requireNonNull(name, "variable name"));
            b.append('=');
            escape(b, value == null ? "" : value);
            b.append('\n');
        });
        return b.toString();
    }

    private static void escape(StringBuilder b, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '=' -> b.append("\\=");
                default -> b.append(c);
            }
        }
    }

    static Map<String, String> decode(String text) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        StringBuilder name = new StringBuilder();
        StringBuilder value = new StringBuilder();
        StringBuilder at = name;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                char n = text.charAt(++i);
                at.append(n == 'n' ? '\n' : n);
            } else if (c == '=' && at == name) {
                at = value;
            } else if (c == '\n') {
                out.put(name.toString(), value.toString());
                name.setLength(0);
                value.setLength(0);
                at = name;
            } else {
                at.append(c);
            }
        }
        return java.util.Collections.unmodifiableMap(out);
    }
}
