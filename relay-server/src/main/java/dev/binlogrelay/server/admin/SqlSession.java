package dev.binlogrelay.server.admin;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Per-connection SQL state: user variables (@name) and session system variables (@@session.name).
 * Names are case-insensitive. Values are kept as strings (null = SQL NULL). Used from one connection's event
 * loop only. The bytes the user variables hold (names and values, UTF-8) are counted, so that the SQL layer can
 * keep them under downstream.max_user_variables_bytes; the warnings of the last statement are kept for
 * SHOW WARNINGS.
 */
public final class SqlSession {
    /** One warning of the last statement (SHOW WARNINGS). */
    public record Warning(String level, int code, String message) {
    }

    private static final int MAX_WARNINGS = 64;

    private final Map<String, String> userVariables = new HashMap<>();
    private final Map<String, String> sessionVariables = new HashMap<>();
    private final List<Warning> warnings = new ArrayList<>();
    private final String user;
    private final String clientHost;
    private final long connectionId;
    private long userVariableBytes;
    private boolean inTransaction;
    private boolean ignoreSpace;

    public SqlSession(String user, String clientHost, long connectionId) {
        this.user = user;
        this.clientHost = clientHost;
        this.connectionId = connectionId;
    }

    public String user() {
        return user;
    }

    public String clientHost() {
        return clientHost;
    }

    public long connectionId() {
        return connectionId;
    }

    public void setUserVariable(String name, String value) {
        String key = name.toLowerCase(Locale.ROOT);
        boolean had = userVariables.containsKey(key);
        String old = userVariables.put(key, value);
        if (had) {
            userVariableBytes -= size(key, old);
        }
        userVariableBytes += size(key, value);
    }

    /** The value of @name, or null if unset (SQL NULL). */
    public String userVariable(String name) {
        return userVariables.get(name.toLowerCase(Locale.ROOT));
    }

    public boolean hasUserVariable(String name) {
        return userVariables.containsKey(name.toLowerCase(Locale.ROOT));
    }

    /** Bytes held by the user variables: UTF-8 names and values. */
    public long userVariableBytes() {
        return userVariableBytes;
    }

    /** What {@link #userVariableBytes} would be after these assignments, in order (names in any case). */
    long userVariableBytesAfter(List<Map.Entry<String, String>> assignments) {
        long total = userVariableBytes;
        Map<String, String> assigned = new HashMap<>();
        for (Map.Entry<String, String> e : assignments) {
            String key = e.getKey().toLowerCase(Locale.ROOT);
            if (assigned.containsKey(key)) {
                total -= size(key, assigned.get(key));
            } else if (userVariables.containsKey(key)) {
                total -= size(key, userVariables.get(key));
            }
            assigned.put(key, e.getValue());
            total += size(key, e.getValue());
        }
        return total;
    }

    static long size(String name, String value) {
        return utf8Length(name) + (value == null ? 0 : utf8Length(value));
    }

    /** UTF-8 length without encoding. */
    static long utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    public void setSessionVariable(String name, String value) {
        sessionVariables.put(name.toLowerCase(Locale.ROOT), value);
    }

    /** A session system variable set by this connection, or null (also when it was set to NULL). */
    public String sessionVariable(String name) {
        return sessionVariables.get(name.toLowerCase(Locale.ROOT));
    }

    /** True if this connection gave the system variable a session value (possibly NULL). */
    public boolean hasSessionVariable(String name) {
        return sessionVariables.containsKey(name.toLowerCase(Locale.ROOT));
    }

    /** Drops the session value ({@code SET name = DEFAULT}): reads see the global value again. */
    public void resetSessionVariable(String name) {
        sessionVariables.remove(name.toLowerCase(Locale.ROOT));
    }

    /**
     * The server status flags of this session's OK and EOF packets: SERVER_STATUS_AUTOCOMMIT while its
     * {@code autocommit} is on, SERVER_STATUS_IN_TRANS between BEGIN / START TRANSACTION and COMMIT / ROLLBACK.
     */
    public int serverStatus() {
        return (autocommit() ? dev.binlogrelay.core.protocol.ServerStatus.AUTOCOMMIT : 0)
                | (inTransaction ? dev.binlogrelay.core.protocol.ServerStatus.IN_TRANS : 0);
    }

    /** The session's autocommit: on unless it set {@code autocommit} to 0. */
    boolean autocommit() {
        return !"0".equals(sessionVariable("autocommit"));
    }

    /** The client announced CLIENT_IGNORE_SPACE: the session's sql_mode starts with IGNORE_SPACE, as on the server. */
    public void ignoreSpace(boolean on) {
        ignoreSpace = on;
    }

    boolean ignoreSpace() {
        return ignoreSpace;
    }

    /** BEGIN / START TRANSACTION (true), COMMIT / ROLLBACK (false). */
    void inTransaction(boolean open) {
        inTransaction = open;
    }

    /** Adds a warning to the current statement's (at most 64 are kept, as a bound). */
    void warn(int code, String message) {
        if (warnings.size() < MAX_WARNINGS) {
            warnings.add(new Warning("Warning", code, message));
        }
    }

    /** The warnings of the last statement. */
    public List<Warning> warnings() {
        return Collections.unmodifiableList(warnings);
    }

    /** A new statement starts: the previous one's warnings go. */
    void clearWarnings() {
        warnings.clear();
    }
}
