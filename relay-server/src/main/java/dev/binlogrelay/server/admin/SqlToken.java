package dev.binlogrelay.server.admin;

/**
 * One lexical token of a statement.
 *
 * @param type  what kind of token
 * @param text  the token exactly as written in the statement (quotes and all)
 * @param value the decoded value: a string literal without quotes and escapes, an identifier without backticks,
 *              a variable's name without the {@code @} or {@code @@}; otherwise the same as {@code text}
 * @param start offset of the first character in the statement
 * @param end   offset just past the last character
 */
record SqlToken(Type type, String text, String value, int start, int end) {
    enum Type {
        /** A bare word: keyword or identifier (the parser decides). */
        WORD,
        /** A backtick-quoted identifier; never a keyword. */
        QUOTED_IDENT,
        /** A single- or double-quoted string literal. */
        STRING,
        /** An unsigned numeric literal (integer, decimal or with exponent). */
        NUMBER,
        /** {@code @name}, {@code @'name'}: value is the name. */
        USER_VAR,
        /** {@code @@name}, {@code @@scope.name}: value is what follows the {@code @@}. */
        SYSTEM_VAR,
        /** Punctuation and operators: ( ) , ; = := . * and so on. */
        SYMBOL,
        /** End of the statement. */
        END
    }

    /** A bare word equal to the keyword, ignoring case. */
    boolean isWord(String keyword) {
        return type == Type.WORD && text.equalsIgnoreCase(keyword);
    }

    boolean isSymbol(String symbol) {
        return type == Type.SYMBOL && text.equals(symbol);
    }

    /** A word or a backtick-quoted identifier. */
    boolean isIdentifier() {
        return type == Type.WORD || type == Type.QUOTED_IDENT;
    }
}
