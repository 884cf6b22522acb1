package dev.binlogrelay.server.admin;

import dev.binlogrelay.core.binlog.EventInfo;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.core.protocol.TextResultSet;

import java.util.ArrayList;
import java.util.List;

/**
 * Answers {@code SHOW BINLOG EVENTS [IN 'file'] [FROM position] [LIMIT [offset,] count]} from the store, with the
 * server's columns and its Event_type and Info texts ({@link EventInfo}). As on the server: without IN, the oldest
 * file; FROM below 4 reads from the file's start; rows stop at the end of the file; an unknown file or a position
 * that is not an event's start is ERROR 1220 in the server's words.
 *
 * <p><b>Bounds.</b> The statement runs on the session's event loop and reads the store synchronously, so the work
 * of one statement is bounded: it reads at most {@value #MAX_EVENTS} events and {@value #MAX_BYTES} bytes of them
 * (LIMIT's offset included). A listing that would pass either is refused whole with ERROR 1220 saying so, rather
 * than cut short without notice: narrow it with FROM and LIMIT.
 */
final class ShowBinlogEvents {
    static final int MAX_EVENTS = 100_000;
    static final long MAX_BYTES = 64L * 1024 * 1024;
    static final int ER_ERROR_WHEN_EXECUTING_COMMAND = 1220;
    private static final List<String> COLUMNS = List.of("Log_name", "Pos", "Event_type", "Server_id", "End_log_pos", "Info");

    private final RelayInfo info;
    private final int maxEvents;
    private final long maxBytes;

    ShowBinlogEvents(RelayInfo info) {
        this(info, MAX_EVENTS, MAX_BYTES);
    }

    /** With other bounds, for tests. */
    ShowBinlogEvents(RelayInfo info, int maxEvents, long maxBytes) {
        this.info = info;
        this.maxEvents = maxEvents;
        this.maxBytes = maxBytes;
    }

    TextResultSet answer(Statement.ShowBinlogEvents show) {
        String file = show.file();
        if (file == null) {
            List<RelayInfo.BinlogFile> files = info.binlogFiles();
            if (files.isEmpty()) {
                return TextResultSet.of(COLUMNS, List.of());
            }
            file = files.get(0).name();
        }
        long end = show.count() < 0 ? Long.MAX_VALUE : saturatedAdd(show.offset(), show.count());
        List<List<String>> rows = new ArrayList<>();
        try (RelayInfo.FileEvents events = info.binlogEvents(file, Math.max(4, show.from()))) {
            // the server's loop: read an event, send it once past the offset, stop after offset + count events
            // read; so LIMIT 0 still answers the first event, as the server does
            long read = 0;
            long bytes = 0;
            while (true) {
                long position = events.position();
                byte[] e = events.next();
                if (e == null) {
                    break;
                }
                bytes += e.length;
                if (read >= maxEvents || bytes > maxBytes) {
                    throw failure("binlog-relay reads at most " + maxEvents + " events and " + maxBytes
                            + " bytes of them for one SHOW BINLOG EVENTS; narrow it with FROM and LIMIT");
                }
                if (read >= show.offset()) {
                    rows.add(List.of(file, Long.toString(position), EventInfo.typeName(Events.type(e)),
                            Long.toString(Events.serverId(e)), Long.toString(Events.logPos(e)),
                            EventInfo.info(e, events.checksum())));
                }
                if (++read >= end) {
                    break;
                }
            }
        } catch (RelayInfo.BinlogEventsException e) {
            throw failure(e.getMessage());
        }
        return TextResultSet.of(COLUMNS, rows);
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    /** The server's ER_ERROR_WHEN_EXECUTING_COMMAND. */
    private static SqlException failure(String reason) {
        return new SqlException(ER_ERROR_WHEN_EXECUTING_COMMAND, "HY000",
                "Error when executing command SHOW BINLOG EVENTS: " + reason);
    }
}
