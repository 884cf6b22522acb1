package dev.binlogrelay.server.admin;

import dev.binlogrelay.server.admin.RowFilter.Condition;
import dev.binlogrelay.server.admin.RowFilter.Operand;
import dev.binlogrelay.server.admin.SqlToken.Type;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Recursive-descent parser for value expressions and for the conditions of SHOW ... WHERE.
 *
 * <pre>
 * expression := ('-' | '+') expression | primary
 * primary    := NUMBER | STRING | NULL | TRUE | FALSE | @user | @@[scope.]name
 *             | '(' expression ')' | name '(' [expression {',' expression}] ')' | niladic-keyword | word
 *
 * condition  := conjunct {(OR | '||') conjunct}
 * conjunct   := negation {(AND | '&amp;&amp;') negation}
 * negation   := (NOT | '!') negation | '(' condition ')' | predicate
 * predicate  := operand ( ('=' | '!=' | '&lt;&gt;') operand | [NOT] IN '(' operand {',' operand} ')'
 *                       | [NOT] LIKE STRING [ESCAPE STRING] )
 * operand    := column-name | STRING | NUMBER
 * </pre>
 */
final class ExpressionParser {
    /** Keywords that call a function without parentheses. */
    private static final Set<String> NILADIC = Set.of("CURRENT_TIMESTAMP", "CURRENT_USER", "CURRENT_DATE",
            "CURRENT_TIME", "LOCALTIME", "LOCALTIMESTAMP", "UTC_TIMESTAMP", "UTC_DATE", "UTC_TIME");

    private final TokenStream in;

    ExpressionParser(TokenStream in) {
        this.in = in;
    }

    Expr expression() {
        in.enter();
        try {
            if (in.acceptSymbol("-")) {
                return new Expr.Negate(expression());
            }
            if (in.acceptSymbol("+")) {
                return expression();
            }
            return primary();
        } finally {
            in.leave();
        }
    }

    private Expr primary() {
        SqlToken t = in.peek();
        switch (t.type()) {
            case NUMBER -> {
                in.next();
                return new Expr.Literal(normalizeNumber(t.text()));
            }
            case STRING -> {
                in.next();
                return new Expr.Literal(t.value());
            }
            case USER_VAR -> {
                in.next();
                return new Expr.UserVar(t.value());
            }
            case SYSTEM_VAR -> {
                in.next();
                return systemVariable(t.value());
            }
            case QUOTED_IDENT -> {
                in.next();
                return new Expr.Word(t.value());
            }
            case WORD -> {
                return word();
            }
            default -> {
                if (in.acceptSymbol("(")) {
                    Expr inner = expression();
                    in.expectSymbol(")");
                    return inner;
                }
                throw in.error();
            }
        }
    }

    private Expr word() {
        SqlToken t = in.next();
        String upper = t.text().toUpperCase(Locale.ROOT);
        if (in.acceptSymbol("(")) {
            List<Expr> args = new ArrayList<>();
            if (!in.acceptSymbol(")")) {
                do {
                    args.add(expression());
                } while (in.acceptSymbol(","));
                in.expectSymbol(")");
            }
            return new Expr.Call(t.text(), args);
        }
        return switch (upper) {
            case "NULL" -> new Expr.Literal(null);
            case "TRUE" -> new Expr.Literal("1");
            case "FALSE" -> new Expr.Literal("0");
            default -> NILADIC.contains(upper) ? new Expr.Call(t.text(), List.of()) : new Expr.Word(t.text());
        };
    }

    /** "GLOBAL.server_id" → (GLOBAL, server_id); "server_id" → (DEFAULT, server_id); other prefixes stay in the name. */
    static Expr.SystemVar systemVariable(String written) {
        int dot = written.indexOf('.');
        if (dot > 0) {
            String prefix = written.substring(0, dot).toUpperCase(Locale.ROOT);
            VarScope scope = switch (prefix) {
                case "GLOBAL" -> VarScope.GLOBAL;
                case "SESSION", "LOCAL" -> VarScope.SESSION;
                default -> null;
            };
            if (scope != null) {
                return new Expr.SystemVar(scope, written.substring(dot + 1));
            }
        }
        return new Expr.SystemVar(VarScope.DEFAULT, written);
    }

    /**
     * Integers as decimal digits without leading zeros (any size); decimals as written; exponents expanded within a
     * DOUBLE's range (MySQL reads {@code 1e3} as one): a larger one is MySQL's "Illegal double" error, a smaller one 0.
     * (Expanding {@code 1e999999999} would take a billion characters.)
     */
    static String normalizeNumber(String text) {
        if (text.chars().allMatch(Character::isDigit)) {
            return new BigInteger(text).toString();
        }
        BigDecimal d;
        try {
            d = new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw SqlException.illegalDouble(text); // an exponent beyond an int
        }
        if (text.indexOf('e') >= 0 || text.indexOf('E') >= 0) {
            String plain = plainWithinDouble(d.stripTrailingZeros());
            if (plain == null) {
                throw SqlException.illegalDouble(text);
            }
            return plain;
        }
        return d.toPlainString();
    }

    /** Integer digits of the largest DOUBLE (1.8e308), and of the smallest (4.9e-324), with room. */
    private static final int MAX_INTEGER_DIGITS = 309;
    private static final int MIN_INTEGER_DIGITS = -330;

    /**
     * {@code d} written out without an exponent, if it is within a DOUBLE's range: "0" when it is too small for one,
     * null when it is too large. The text is then never much longer than 330 characters plus the digits written.
     */
    static String plainWithinDouble(BigDecimal d) {
        int integerDigits = d.precision() - d.scale();
        if (d.signum() == 0 || integerDigits < MIN_INTEGER_DIGITS) {
            return "0";
        }
        return integerDigits > MAX_INTEGER_DIGITS ? null : d.toPlainString();
    }

    Condition condition() {
        in.enter();
        try {
            Condition c = conjunct();
            while (in.acceptWord("OR") || in.acceptSymbol("||")) {
                c = new RowFilter.Or(c, conjunct());
            }
            return c;
        } finally {
            in.leave();
        }
    }

    private Condition conjunct() {
        Condition c = negation();
        while (in.acceptWord("AND") || in.acceptSymbol("&&")) {
            c = new RowFilter.And(c, negation());
        }
        return c;
    }

    private Condition negation() {
        in.enter();
        try {
            if (in.acceptWord("NOT") || in.acceptSymbol("!")) {
                return new RowFilter.Not(negation());
            }
            if (in.acceptSymbol("(")) {
                Condition inner = condition();
                in.expectSymbol(")");
                return inner;
            }
            return predicate();
        } finally {
            in.leave();
        }
    }

    private Condition predicate() {
        Operand left = operand();
        if (in.acceptSymbol("=")) {
            return new RowFilter.Compare(left, true, operand());
        }
        if (in.acceptSymbol("!=") || in.acceptSymbol("<>")) {
            return new RowFilter.Compare(left, false, operand());
        }
        boolean negated = in.acceptWord("NOT");
        if (in.acceptWord("IN")) {
            in.expectSymbol("(");
            List<Operand> values = new ArrayList<>();
            do {
                values.add(operand());
            } while (in.acceptSymbol(","));
            in.expectSymbol(")");
            return new RowFilter.In(left, values, negated);
        }
        if (in.acceptWord("LIKE")) {
            return new RowFilter.LikeCondition(left, likePattern(), negated);
        }
        throw in.error();
    }

    private Operand operand() {
        SqlToken t = in.peek();
        if (t.type() == Type.STRING) {
            in.next();
            return new RowFilter.Constant(t.value());
        }
        if (t.type() == Type.NUMBER) {
            in.next();
            return new RowFilter.Constant(normalizeNumber(t.text()));
        }
        return new RowFilter.Column(in.identifier());
    }

    /** {@code 'pattern' [ESCAPE 'c']}, after LIKE. */
    LikePattern likePattern() {
        if (in.peek().type() != Type.STRING) {
            throw in.error();
        }
        String pattern = in.next().value();
        if (in.acceptWord("ESCAPE")) {
            SqlToken escape = in.peek();
            if (escape.type() != Type.STRING || escape.value().length() > 1) {
                throw in.error();
            }
            in.next();
            return escape.value().isEmpty() ? LikePattern.of(pattern, '\uFFFF') : LikePattern.of(pattern, escape.value().charAt(0));
        }
        return LikePattern.of(pattern);
    }
}
