package dev.binlogrelay.server.admin;

import dev.binlogrelay.server.admin.SqlToken.Type;

import java.math.BigInteger;
import java.util.List;
import java.util.Locale;

/** A cursor over a statement's tokens, shared by {@link SqlParser} and {@link ExpressionParser}. */
final class TokenStream {
    /** Deepest nesting of parentheses and NOT the parsers accept, so that hostile input cannot overflow the stack. */
    static final int MAX_DEPTH = 64;

    private final String sql;
    private final List<SqlToken> tokens;
    private int index;
    private int depth;
    private boolean tooDeep;

    TokenStream(String sql, List<SqlToken> tokens) {
        this.sql = sql;
        this.tokens = tokens;
    }

    String sql() {
        return sql;
    }

    SqlToken peek() {
        return tokens.get(index);
    }

    /** The token {@code ahead} places after the current one (the END token past the end). */
    SqlToken peek(int ahead) {
        return tokens.get(Math.min(index + ahead, tokens.size() - 1));
    }

    SqlToken next() {
        SqlToken t = tokens.get(index);
        if (t.type() != Type.END) {
            index++;
        }
        return t;
    }

    /** The token before the current one (the last one consumed). */
    SqlToken previous() {
        return tokens.get(Math.max(0, index - 1));
    }

    /** Every token of the statement, the END token last. */
    List<SqlToken> all() {
        return tokens;
    }

    /** True once the nesting passed {@link #MAX_DEPTH}. */
    boolean tooDeep() {
        return tooDeep;
    }

    List<SqlToken> remaining() {
        return tokens.subList(index, tokens.size());
    }

    /** Consumes every remaining token. */
    void skipToEnd() {
        index = tokens.size() - 1;
    }

    /** A non-negative integer literal (LIMIT counts); values past 2^63-1 are clamped. */
    long unsignedInteger() {
        SqlToken t = peek();
        if (t.type() != Type.NUMBER || !t.text().chars().allMatch(Character::isDigit)) {
            throw error();
        }
        index++;
        BigInteger n = new BigInteger(t.text());
        return n.bitLength() < 64 ? n.longValue() : Long.MAX_VALUE;
    }

    boolean acceptWord(String keyword) {
        if (peek().isWord(keyword)) {
            index++;
            return true;
        }
        return false;
    }

    void expectWord(String keyword) {
        if (!acceptWord(keyword)) {
            throw error();
        }
    }

    boolean acceptSymbol(String symbol) {
        if (peek().isSymbol(symbol)) {
            index++;
            return true;
        }
        return false;
    }

    void expectSymbol(String symbol) {
        if (!acceptSymbol(symbol)) {
            throw error();
        }
    }

    /** The current token's upper-cased text if it is a bare word, else "". */
    String peekWord() {
        return peek().type() == Type.WORD ? peek().text().toUpperCase(Locale.ROOT) : "";
    }

    /** An identifier: a bare word or a backtick-quoted name. */
    String identifier() {
        if (!peek().isIdentifier()) {
            throw error();
        }
        return next().value();
    }

    /** A name given as an identifier or a string ({@code NAMES 'utf8'}, {@code NAMES utf8}). */
    String name() {
        if (peek().type() == Type.STRING) {
            return next().value();
        }
        return identifier();
    }

    /** True at the end of the statement (trailing semicolons allowed). */
    boolean atEnd() {
        int i = index;
        while (tokens.get(i).isSymbol(";")) {
            i++;
        }
        return tokens.get(i).type() == Type.END;
    }

    /** Fails unless only semicolons remain. */
    void expectEnd() {
        if (!atEnd()) {
            while (peek().isSymbol(";")) {
                index++;
            }
            throw error();
        }
    }

    /** A MySQL parse error pointing at the current token. */
    SqlException error() {
        return SqlException.syntax(sql, peek().start());
    }

    /** The statement text from the start of {@code first} to the end of the last token consumed. */
    String textFrom(SqlToken first) {
        return sql.substring(first.start(), Math.max(first.start(), previous().end()));
    }

    void enter() {
        if (++depth > MAX_DEPTH) {
            tooDeep = true;
            throw error();
        }
    }

    void leave() {
        depth--;
    }
}
