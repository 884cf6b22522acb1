package dev.binlogrelay.server.admin;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Per-connection SQL state: user variables (@name) and session system variables (@@session.name).
 * Names are case-insensitive. Values are kept as strings (null = SQL NULL). Used from one connection's event
 * loop only.
 */
public final class SqlSession {
    private final Map<String, String> userVariables = new HashMap<>();
    private final Map<String, String> sessionVariables = new HashMap<>();
    private final String user;
    private final String clientHost;
    private final long connectionId;

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
        userVariables.put(name.toLowerCase(Locale.ROOT), value);
    }

    /** The value of @name, or null if unset (SQL NULL). */
    public String userVariable(String name) {
        return userVariables.get(name.toLowerCase(Locale.ROOT));
    }

    public boolean hasUserVariable(String name) {
        return userVariables.containsKey(name.toLowerCase(Locale.ROOT));
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
}
