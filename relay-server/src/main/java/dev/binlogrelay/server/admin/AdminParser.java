package dev.binlogrelay.server.admin;

import dev.binlogrelay.core.protocol.ErrorCodes;
import dev.binlogrelay.core.protocol.PeerText;
import dev.binlogrelay.server.admin.SqlToken.Type;

/**
 * Parses the operator's statements that do not start with SHOW (see {@link ShowParser} for SHOW SLAVE STATUS and
 * SHOW PROCESSLIST), as MySQL and MariaDB spell them:
 *
 * <pre>
 * admin   := (STOP | START) (SLAVE | REPLICA) [IO_THREAD]
 *          | CHANGE MASTER TO option {',' option} | CHANGE REPLICATION SOURCE TO option {',' option}
 *          | PURGE (BINARY | MASTER) LOGS (TO STRING | BEFORE STRING)
 *          | KILL [HARD | SOFT] [CONNECTION | QUERY] n
 * option  := (MASTER_HOST | SOURCE_HOST) '=' STRING | (MASTER_PORT | SOURCE_PORT) '=' n
 * </pre>
 * Other CHANGE MASTER options (MASTER_USER, MASTER_LOG_FILE, ...) are refused with a message naming the option and
 * where the relay takes that setting from, not with a syntax error.
 */
final class AdminParser {
    private final TokenStream in;

    AdminParser(TokenStream in) {
        this.in = in;
    }

    /** True if the statement starts with STOP, CHANGE, PURGE, KILL or START (but not START TRANSACTION). */
    static boolean starts(TokenStream in) {
        return switch (in.peekWord()) {
            case "STOP", "CHANGE", "PURGE", "KILL" -> true;
            case "START" -> !in.peek(1).isWord("TRANSACTION");
            default -> false;
        };
    }

    Statement statement() {
        return switch (in.peekWord()) {
            case "STOP" -> startStop(false);
            case "START" -> startStop(true);
            case "CHANGE" -> change();
            case "PURGE" -> purge();
            default -> kill();
        };
    }

    /** STOP or START: the next words must name the replica threads, else the statement is not one the relay knows. */
    Statement startStop(boolean start) {
        in.next();
        if (!in.acceptWord("SLAVE") && !in.acceptWord("REPLICA")) {
            throw SqlException.notSupported(in.sql());
        }
        in.acceptWord("IO_THREAD");
        return new Statement.StartStopReplica(start);
    }

    Statement change() {
        in.next();
        if (in.acceptWord("REPLICATION")) {
            in.expectWord("SOURCE");
        } else if (!in.acceptWord("MASTER")) {
            throw SqlException.notSupported(in.sql());
        }
        in.expectWord("TO");
        String host = null;
        Integer port = null;
        do {
            SqlToken option = in.peek();
            String name = in.identifier().toUpperCase(java.util.Locale.ROOT);
            in.expectSymbol("=");
            switch (name) {
                case "MASTER_HOST", "SOURCE_HOST" -> {
                    if (in.peek().type() != Type.STRING) {
                        throw in.error();
                    }
                    host = in.next().value();
                    if (host.isBlank()) {
                        throw new SqlException(ER_WRONG_ARGUMENTS, ErrorCodes.STATE_GENERAL,
                                "Incorrect arguments to " + name + ": the host is empty");
                    }
                }
                case "MASTER_PORT", "SOURCE_PORT" -> {
                    long p = in.unsignedInteger();
                    if (p < 1 || p > 65535) {
                        throw new SqlException(ER_WRONG_ARGUMENTS, ErrorCodes.STATE_GENERAL,
                                "Incorrect arguments to " + name + ": " + p + " is not a port (1 to 65535)");
                    }
                    port = (int) p;
                }
                default -> throw new SqlException(ErrorCodes.ER_NOT_SUPPORTED_YET, ErrorCodes.STATE_SYNTAX,
                        "binlog-relay takes only MASTER_HOST and MASTER_PORT in CHANGE MASTER TO, not "
                                + PeerText.name(option.text()) + " (credentials and TLS are upstream.* keys of its config;"
                                + " where to resume it knows from its store)");
            }
        } while (in.acceptSymbol(","));
        return new Statement.ChangeUpstream(host, port);
    }

    Statement purge() {
        in.next();
        if (!in.acceptWord("BINARY") && !in.acceptWord("MASTER")) {
            throw SqlException.notSupported(in.sql());
        }
        in.expectWord("LOGS");
        boolean to = in.acceptWord("TO");
        if (!to) {
            in.expectWord("BEFORE");
        }
        if (in.peek().type() != Type.STRING) {
            throw in.error();
        }
        String value = in.next().value();
        return to ? new Statement.PurgeLogs(value, null) : new Statement.PurgeLogs(null, value);
    }

    Statement kill() {
        in.next();
        if (!in.acceptWord("HARD")) {
            in.acceptWord("SOFT");
        }
        boolean query = false;
        if (in.acceptWord("QUERY")) {
            query = true;
        } else {
            in.acceptWord("CONNECTION");
        }
        return new Statement.Kill(in.unsignedInteger(), query);
    }

    /** ER_WRONG_ARGUMENTS. */
    static final int ER_WRONG_ARGUMENTS = 1210;
}
