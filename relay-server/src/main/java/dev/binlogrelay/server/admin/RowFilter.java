package dev.binlogrelay.server.admin;

import dev.binlogrelay.core.protocol.TextResultSet;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code LIKE 'pattern'} or {@code WHERE condition} of a SHOW statement, applied to the rows of its result.
 * Comparisons ignore case, as MySQL's default collations do; a comparison with NULL is false.
 */
sealed interface RowFilter {
    /** No filter: every row. */
    RowFilter ALL = new All();

    /** Keeps the rows of {@code result} this filter accepts. */
    default TextResultSet apply(TextResultSet result) {
        List<List<String>> kept = new ArrayList<>();
        for (List<String> row : result.rows()) {
            if (accepts(result.columns(), row)) {
                kept.add(row);
            }
        }
        return TextResultSet.of(result.columns(), kept);
    }

    boolean accepts(List<String> columns, List<String> row);

    record All() implements RowFilter {
        @Override
        public TextResultSet apply(TextResultSet result) {
            return result;
        }

        @Override
        public boolean accepts(List<String> columns, List<String> row) {
            return true;
        }
    }

    /** {@code LIKE 'pattern'}: matched against the first column (Variable_name, Database, Collation, ...). */
    record Like(LikePattern pattern) implements RowFilter {
        @Override
        public boolean accepts(List<String> columns, List<String> row) {
            return pattern.matches(row.get(0));
        }
    }

    /** {@code WHERE condition}. */
    record Where(Condition condition) implements RowFilter {
        @Override
        public TextResultSet apply(TextResultSet result) {
            condition.check(result.columns());
            return RowFilter.super.apply(result);
        }

        @Override
        public boolean accepts(List<String> columns, List<String> row) {
            return condition.test(columns, row);
        }
    }

    /** A boolean condition over a row's columns. */
    sealed interface Condition {
        boolean test(List<String> columns, List<String> row);

        /** Fails with ER_BAD_FIELD_ERROR if the condition names a column the result does not have. */
        void check(List<String> columns);
    }

    record Or(Condition left, Condition right) implements Condition {
        @Override
        public boolean test(List<String> columns, List<String> row) {
            return left.test(columns, row) || right.test(columns, row);
        }

        @Override
        public void check(List<String> columns) {
            left.check(columns);
            right.check(columns);
        }
    }

    record And(Condition left, Condition right) implements Condition {
        @Override
        public boolean test(List<String> columns, List<String> row) {
            return left.test(columns, row) && right.test(columns, row);
        }

        @Override
        public void check(List<String> columns) {
            left.check(columns);
            right.check(columns);
        }
    }

    record Not(Condition operand) implements Condition {
        @Override
        public boolean test(List<String> columns, List<String> row) {
            return !operand.test(columns, row);
        }

        @Override
        public void check(List<String> columns) {
            operand.check(columns);
        }
    }

    /** {@code a = b}, {@code a != b}, {@code a <> b}. */
    record Compare(Operand left, boolean equal, Operand right) implements Condition {
        @Override
        public boolean test(List<String> columns, List<String> row) {
            String a = left.value(columns, row);
            String b = right.value(columns, row);
            return a != null && b != null && sameValue(a, b) == equal;
        }

        @Override
        public void check(List<String> columns) {
            left.check(columns);
            right.check(columns);
        }
    }

    /** {@code a [NOT] IN (v, ...)}. */
    record In(Operand left, List<Operand> values, boolean negated) implements Condition {
        public In {
            values = List.copyOf(values);
        }

        @Override
        public boolean test(List<String> columns, List<String> row) {
            String a = left.value(columns, row);
            if (a == null) {
                return false;
            }
            for (Operand v : values) {
                String b = v.value(columns, row);
                if (b != null && sameValue(a, b)) {
                    return !negated;
                }
            }
            return negated;
        }

        @Override
        public void check(List<String> columns) {
            left.check(columns);
            values.forEach(v -> v.check(columns));
        }
    }

    /** {@code a [NOT] LIKE 'pattern' [ESCAPE 'c']}. */
    record LikeCondition(Operand left, LikePattern pattern, boolean negated) implements Condition {
        @Override
        public boolean test(List<String> columns, List<String> row) {
            String a = left.value(columns, row);
            return a != null && pattern.matches(a) != negated;
        }

        @Override
        public void check(List<String> columns) {
            left.check(columns);
        }
    }

    /** A column reference or a constant. */
    sealed interface Operand {
        String value(List<String> columns, List<String> row);

        default void check(List<String> columns) {
        }
    }

    record Column(String name) implements Operand {
        @Override
        public String value(List<String> columns, List<String> row) {
            return row.get(index(columns));
        }

        @Override
        public void check(List<String> columns) {
            index(columns);
        }

        private int index(List<String> columns) {
            for (int i = 0; i < columns.size(); i++) {
                if (columns.get(i).equalsIgnoreCase(name)) {
                    return i;
                }
            }
            throw new SqlException(SqlException.ER_BAD_FIELD, "42S22", "Unknown column '" + name + "' in 'where clause'");
        }
    }

    record Constant(String value) implements Operand {
        @Override
        public String value(List<String> columns, List<String> row) {
            return value;
        }
    }

    private static boolean sameValue(String a, String b) {
        if (a.equalsIgnoreCase(b)) {
            return true;
        }
        BigDecimal x = number(a);
        BigDecimal y = number(b);
        return x != null && y != null && x.compareTo(y) == 0;
    }

    private static BigDecimal number(String s) {
        String t = s.strip().toLowerCase(Locale.ROOT);
        if (t.isEmpty() || !(Character.isDigit(t.charAt(0)) || t.charAt(0) == '-' || t.charAt(0) == '.')) {
            return null;
        }
        try {
            return new BigDecimal(t);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
