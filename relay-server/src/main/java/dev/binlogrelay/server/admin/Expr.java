package dev.binlogrelay.server.admin;

import java.util.List;

/** An expression of the small language the relay evaluates (values are strings; null is SQL NULL). */
sealed interface Expr {
    /** A literal: number (normalised), string, NULL (value null), TRUE ("1") or FALSE ("0"). */
    record Literal(String value) implements Expr {
    }

    /** {@code @name}: NULL when never set. */
    record UserVar(String name) implements Expr {
    }

    /** {@code @@[scope.]name}. */
    record SystemVar(VarScope scope, String name) implements Expr {
    }

    /** A function call, or a keyword that acts as one ({@code CURRENT_TIMESTAMP}, {@code CURRENT_USER}). */
    record Call(String name, List<Expr> args) implements Expr {
        public Call {
            args = List.copyOf(args);
        }
    }

    /**
     * A bare word used as a value. On the right of a system variable assignment it is the word itself
     * ({@code SET autocommit = ON}, {@code SET binlog_format = ROW}); anywhere else it names a column, and the
     * relay has none.
     */
    record Word(String word) implements Expr {
    }

    /** {@code DEFAULT}, on the right of an assignment: the variable's default (global) value. */
    record Default() implements Expr {
    }

    /** Unary minus. */
    record Negate(Expr operand) implements Expr {
    }
}
