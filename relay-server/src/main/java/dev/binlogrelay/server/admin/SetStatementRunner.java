package dev.binlogrelay.server.admin;

import dev.binlogrelay.server.admin.Statement.Assignment;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs SET statements against a session. As in MySQL, every assignment is checked and every value computed before
 * any is stored, so a statement that fails changes nothing, and {@code SET @a = 1, @b = @a} gives {@code @b} the
 * value {@code @a} had before the statement.
 *
 * <p>Rules: user variables take any value, as long as the session's user variables stay within
 * downstream.max_user_variables_bytes (a statement that would pass it fails whole, ERR 1290; one that shrinks
 * them is always allowed); a CONCAT longer than max_allowed_packet is NULL with a warning, as on the server.
 * SET NAMES and SET CHARACTER SET take the character set names servers know (ERR 1115 otherwise). Session system variables the relay knows are checked (global-only ones
 * are refused with ER_GLOBAL_VARIABLE, booleans must be 1/0/ON/OFF/TRUE/FALSE); names it does not know are kept
 * as they are, since clients set many the relay has no use for ({@code sql_log_bin}, {@code session_track_*},
 * {@code group_concat_max_len}) and refusing them would fail their setup. GLOBAL assignments are refused.
 */
final class SetStatementRunner {
    private final SystemVariables variables;
    private final ExpressionEvaluator evaluator;
    private final long maxUserVariablesBytes;

    SetStatementRunner(SystemVariables variables, ExpressionEvaluator evaluator, long maxUserVariablesBytes) {
        this.variables = variables;
        this.evaluator = evaluator;
        this.maxUserVariablesBytes = maxUserVariablesBytes;
    }

    /** A checked change, applied once all of the statement's assignments are checked. */
    private interface Change {
        void apply(SqlSession session);
    }

    void run(Statement.Set statement, SqlSession session) {
        List<Change> changes = new ArrayList<>();
        List<Map.Entry<String, String>> userVariables = new ArrayList<>();
        for (Assignment a : statement.assignments()) {
            plan(a, session, changes, userVariables);
        }
        if (!userVariables.isEmpty()) {
            long after = session.userVariableBytesAfter(userVariables);
            if (after > maxUserVariablesBytes && after > session.userVariableBytes()) {
                throw SqlException.userVariablesTooLarge(after, maxUserVariablesBytes);
            }
        }
        changes.forEach(c -> c.apply(session));
    }

    /**
     * Runs {@code SET STATEMENT ... FOR statement}: sets the variables (checked as in SET), runs the statement
     * with {@code inner}, then gives each variable back the session value it had (or none), whatever the
     * statement did, as MariaDB does.
     */
    QueryResult runFor(Statement.SetStatementFor statement, SqlSession session,
                       java.util.function.Function<Statement, QueryResult> inner) {
        List<Map.Entry<String, String>> saved = new ArrayList<>();
        List<String> unset = new ArrayList<>();
        for (Statement.SetSystemVar v : statement.variables()) {
            String name = v.name().toLowerCase(Locale.ROOT);
            if (session.hasSessionVariable(name)) {
                saved.add(new java.util.AbstractMap.SimpleEntry<>(name, session.sessionVariable(name)));
            } else {
                unset.add(name);
            }
        }
        run(new Statement.Set(List.copyOf(statement.variables())), session);
        try {
            return inner.apply(statement.statement());
        } finally {
            unset.forEach(session::resetSessionVariable);
            saved.forEach(e -> session.setSessionVariable(e.getKey(), e.getValue()));
        }
    }

    private void plan(Assignment assignment, SqlSession session, List<Change> changes, List<Map.Entry<String, String>> userVariables) {
        if (assignment instanceof Statement.SetUserVar user) {
            String value = evaluator.evaluate(user.value(), session);
            userVariables.add(new java.util.AbstractMap.SimpleEntry<>(user.name(), value));
            changes.add(s -> s.setUserVariable(user.name(), value));
        } else if (assignment instanceof Statement.SetSystemVar system) {
            planSystem(system, session, changes);
        } else if (assignment instanceof Statement.SetNames names) {
            String charset = names.charset() == null ? "utf8mb4" : names.charset().toLowerCase(Locale.ROOT);
            CharacterSets.checkClientCharset(charset);
            String collation = names.collation() != null ? names.collation().toLowerCase(Locale.ROOT)
                    : CharacterSets.defaultCollation(charset);
            changes.add(s -> {
                s.setSessionVariable("character_set_client", charset);
                s.setSessionVariable("character_set_connection", charset);
                s.setSessionVariable("character_set_results", charset);
                s.setSessionVariable("collation_connection", collation);
            });
        } else if (assignment instanceof Statement.SetCharacterSet cs) {
            String charset = cs.charset() == null ? "utf8mb4" : cs.charset().toLowerCase(Locale.ROOT);
            CharacterSets.checkClientCharset(charset);
            changes.add(s -> {
                s.setSessionVariable("character_set_client", charset);
                s.setSessionVariable("character_set_results", charset);
                s.resetSessionVariable("character_set_connection");
                s.resetSessionVariable("collation_connection");
            });
        } else if (assignment instanceof Statement.SetTransaction tx) {
            planTransaction(tx, changes);
        }
    }

    private void planSystem(Statement.SetSystemVar assignment, SqlSession session, List<Change> changes) {
        String name = assignment.name().toLowerCase(Locale.ROOT);
        if (assignment.scope() == VarScope.GLOBAL) {
            throw SqlException.globalSetDenied(name);
        }
        SystemVariables.Variable known = variables.find(name).orElse(null);
        if (known != null && known.globalOnly()) {
            throw SqlException.globalOnly(name);
        }
        if (assignment.value() instanceof Expr.Default) {
            changes.add(s -> s.resetSessionVariable(name));
            return;
        }
        String value = evaluator.evaluateSetting(assignment.value(), session);
        String normalized = known == null || (value == null && !known.bool()) ? value : known.normalize(value);
        // sql_mode as the server keeps it: known modes, once each, in its order
        String stored = name.equals("sql_mode") && normalized != null ? SqlModes.normalize(normalized) : normalized;
        changes.add(s -> s.setSessionVariable(name, stored));
    }

    private static void planTransaction(Statement.SetTransaction tx, List<Change> changes) {
        if (tx.scope() == VarScope.GLOBAL) {
            throw SqlException.globalSetDenied("TRANSACTION");
        }
        if (tx.scope() == VarScope.DEFAULT) {
            return; // applies to the next transaction only, and the relay runs none
        }
        changes.add(s -> {
            if (tx.isolation() != null) {
                s.setSessionVariable("transaction_isolation", tx.isolation());
                s.setSessionVariable("tx_isolation", tx.isolation());
            }
            if (tx.readOnly() != null) {
                String flag = tx.readOnly() ? "1" : "0";
                s.setSessionVariable("transaction_read_only", flag);
                s.setSessionVariable("tx_read_only", flag);
            }
        });
    }
}
