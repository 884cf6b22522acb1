package dev.binlogrelay.server.admin;

import dev.binlogrelay.server.admin.SqlToken.Type;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a statement into {@link SqlToken}s, the way the MySQL lexer does for the part of the language the relay
 * answers.
 * <ul>
 *   <li>Comments: {@code # ...}, {@code -- ...} (a space or control character must follow the dashes),
 *       {@code /* ... *}{@code /}, optimizer hints {@code /*+ ... *}{@code /}.</li>
 *   <li>Executable comments {@code /*!NNNNN ... *}{@code /} and MariaDB's {@code /*M!NNNNNN ... *}{@code /}: the
 *       content is code when the version (5 or 6 digits, or none) is at most the server's version number
 *       (major*10000 + minor*100 + patch), otherwise a comment.</li>
 *   <li>Strings in {@code '...'} or {@code "..."} with doubled quotes and backslash escapes
 *       ({@code \%} and {@code \_} keep their backslash, as in MySQL, for LIKE patterns).</li>
 *   <li>Identifiers in backticks with doubled backticks; bare words; numbers; {@code @user} and
 *       {@code @@[scope.]system} variables.</li>
 * </ul>
 * Errors (unterminated string, comment or identifier; a stray character) are reported as MySQL parse errors.
 */
final class SqlLexer {
    /** Version number assumed when the server's version string cannot be read. */
    static final long DEFAULT_VERSION = 80000;
    private static final Pattern VERSION = Pattern.compile("^(\\d+)\\.(\\d+)\\.(\\d+)");
    private static final String[] SYMBOLS = {"<=>", ":=", "<=", ">=", "<>", "!=", "||", "&&"};

    private final String sql;
    private final long serverVersion;
    private final List<SqlToken> tokens = new ArrayList<>();
    private int pos;
    private int openExecutableComments;

    private SqlLexer(String sql, long serverVersion) {
        this.sql = sql;
        this.serverVersion = serverVersion;
    }

    /** Tokens of the statement, ending with an {@link Type#END} token. */
    static List<SqlToken> tokenize(String sql, long serverVersion) {
        SqlLexer lexer = new SqlLexer(sql, serverVersion);
        lexer.run();
        return lexer.tokens;
    }

    /** "10.11.5-MariaDB-log" → 101105, "8.0.36" → 80036; {@link #DEFAULT_VERSION} when unreadable. */
    static long versionNumber(String version) {
        Matcher m = version == null ? null : VERSION.matcher(version);
        if (m == null || !m.find()) {
            return DEFAULT_VERSION;
        }
        try {
            return Long.parseLong(m.group(1)) * 10000 + Long.parseLong(m.group(2)) * 100 + Long.parseLong(m.group(3));
        } catch (NumberFormatException e) {
            return DEFAULT_VERSION;
        }
    }

    private void run() {
        while (true) {
            skipSpaceAndComments();
            if (pos >= sql.length()) {
                tokens.add(new SqlToken(Type.END, "", "", sql.length(), sql.length()));
                return;
            }
            tokens.add(next());
        }
    }

    private void skipSpaceAndComments() {
        while (pos < sql.length()) {
            char c = sql.charAt(pos);
            if (Character.isWhitespace(c)) {
                pos++;
            } else if (c == '#') {
                skipToEndOfLine();
            } else if (c == '-' && sql.startsWith("--", pos) && (pos + 2 >= sql.length() || sql.charAt(pos + 2) <= ' ')) {
                skipToEndOfLine();
            } else if (c == '/' && sql.startsWith("/*", pos)) {
                openComment();
            } else if (c == '*' && openExecutableComments > 0 && sql.startsWith("*/", pos)) {
                openExecutableComments--;
                pos += 2;
            } else {
                return;
            }
        }
    }

    private void skipToEndOfLine() {
        while (pos < sql.length() && sql.charAt(pos) != '\n') {
            pos++;
        }
    }

    /** At "/*": either enters an executable comment (its content is lexed as code) or skips the comment. */
    private void openComment() {
        int start = pos;
        int p = pos + 2;
        boolean mariaDb = sql.startsWith("M!", p);
        if (mariaDb || sql.startsWith("!", p)) {
            p += mariaDb ? 2 : 1;
            int digits = 0;
            while (p + digits < sql.length() && Character.isDigit(sql.charAt(p + digits)) && digits < 6) {
                digits++;
            }
            if (digits == 6 && p + 6 < sql.length() && Character.isDigit(sql.charAt(p + 6))) {
                digits = 5;
            } else if (digits > 0 && digits < 5) {
                digits = 0;
            }
            long version = digits == 0 ? 0 : Long.parseLong(sql.substring(p, p + digits));
            if (version <= serverVersion) {
                pos = p + digits;
                openExecutableComments++;
                return;
            }
        }
        int close = sql.indexOf("*/", start + 2);
        if (close < 0) {
            throw SqlException.syntax(sql, start);
        }
        pos = close + 2;
    }

    private SqlToken next() {
        int start = pos;
        char c = sql.charAt(pos);
        if (c == '\'' || c == '"') {
            return token(Type.STRING, start, quoted(c));
        }
        if (c == '`') {
            return token(Type.QUOTED_IDENT, start, quoted('`'));
        }
        if (c == '@') {
            return variable(start);
        }
        if (Character.isDigit(c) || (c == '.' && pos + 1 < sql.length() && Character.isDigit(sql.charAt(pos + 1)))) {
            return number(start);
        }
        if (isIdentifierChar(c)) {
            skipIdentifierChars();
            return token(Type.WORD, start, sql.substring(start, pos));
        }
        for (String symbol : SYMBOLS) {
            if (sql.startsWith(symbol, pos)) {
                pos += symbol.length();
                return token(Type.SYMBOL, start, symbol);
            }
        }
        if ("(),;=<>.*+-/%!~^&|".indexOf(c) >= 0) {
            pos++;
            return token(Type.SYMBOL, start, String.valueOf(c));
        }
        throw SqlException.syntax(sql, start);
    }

    private SqlToken token(Type type, int start, String value) {
        return new SqlToken(type, sql.substring(start, pos), value, start, pos);
    }

    /** Reads a quoted string or identifier starting at the quote; returns its decoded content. */
    private String quoted(char quote) {
        int start = pos;
        StringBuilder out = new StringBuilder();
        pos++;
        while (pos < sql.length()) {
            char c = sql.charAt(pos++);
            if (c == quote) {
                if (pos < sql.length() && sql.charAt(pos) == quote) {
                    out.append(quote);
                    pos++;
                    continue;
                }
                return out.toString();
            }
            if (c == '\\' && quote != '`' && pos < sql.length()) {
                out.append(unescape(sql.charAt(pos++)));
            } else {
                out.append(c);
            }
        }
        throw SqlException.syntax(sql, start);
    }

    private static String unescape(char c) {
        return switch (c) {
            case '0' -> "\0";
            case 'b' -> "\b";
            case 'n' -> "\n";
            case 'r' -> "\r";
            case 't' -> "\t";
            case 'Z' -> "\u001A";
            case '%', '_' -> "\\" + c;
            default -> String.valueOf(c);
        };
    }

    private SqlToken variable(int start) {
        boolean system = sql.startsWith("@@", pos);
        pos += system ? 2 : 1;
        if (!system && pos < sql.length() && "'\"`".indexOf(sql.charAt(pos)) >= 0) {
            String name = quoted(sql.charAt(pos));
            return token(Type.USER_VAR, start, name);
        }
        int nameStart = pos;
        while (pos < sql.length() && (isIdentifierChar(sql.charAt(pos)) || sql.charAt(pos) == '.')) {
            pos++;
        }
        if (pos == nameStart) {
            throw SqlException.syntax(sql, start);
        }
        return token(system ? Type.SYSTEM_VAR : Type.USER_VAR, start, sql.substring(nameStart, pos));
    }

    /** Digits with an optional fraction and exponent; digits running into letters make a word, as in MySQL. */
    private SqlToken number(int start) {
        skipDigits();
        boolean plainInteger = true;
        if (pos < sql.length() && sql.charAt(pos) == '.') {
            plainInteger = false;
            pos++;
            skipDigits();
        }
        if (pos < sql.length() && (sql.charAt(pos) == 'e' || sql.charAt(pos) == 'E')) {
            int p = pos + 1;
            if (p < sql.length() && (sql.charAt(p) == '+' || sql.charAt(p) == '-')) {
                p++;
            }
            if (p < sql.length() && Character.isDigit(sql.charAt(p))) {
                plainInteger = false;
                pos = p;
                skipDigits();
            }
        }
        if (plainInteger && pos < sql.length() && isIdentifierChar(sql.charAt(pos))) {
            skipIdentifierChars();
            return token(Type.WORD, start, sql.substring(start, pos));
        }
        return token(Type.NUMBER, start, sql.substring(start, pos));
    }

    private void skipDigits() {
        while (pos < sql.length() && Character.isDigit(sql.charAt(pos))) {
            pos++;
        }
    }

    private void skipIdentifierChars() {
        while (pos < sql.length() && isIdentifierChar(sql.charAt(pos))) {
            pos++;
        }
    }

    private static boolean isIdentifierChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$'
                || (c >= 0x80 && Character.isLetterOrDigit(c));
    }
}
