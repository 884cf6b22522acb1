package dev.binlogrelay.server.admin;

import dev.binlogrelay.core.binlog.EventInfo;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.core.protocol.TextResultSet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Answers {@code SHOW BINLOG EVENTS [IN 'file'] [FROM position] [LIMIT [offset,] count]} from the store, with the
 * server's columns and its Event_type and Info texts ({@link EventInfo}). As on the server: without IN, the oldest
 * file; FROM below 4 reads from the file's start; rows stop at the end of the file; an unknown file or a position
 * that is not an event's start is ERROR 1220 in the server's words.
 *
 * <p><b>Off the event loops.</b> The listing reads RocksDB, so it runs on one worker thread of its own
 * ({@link #answerOffLoop}); the session answers when it is done and holds the client's next commands meanwhile.
 * At most {@value #MAX_WAITING} statements wait for the worker; one more is refused with ERROR 1220 saying so.
 *
 * <p><b>Bounds.</b> One statement reads at most {@value #MAX_EVENTS} events and {@value #MAX_BYTES} bytes of them
 * (LIMIT's offset included), so the rows it holds are bounded too. A listing that would pass either is refused
 * whole with ERROR 1220 saying so, rather than cut short without notice: narrow it with FROM and LIMIT.
 */
final class ShowBinlogEvents {
    static final int MAX_EVENTS = 100_000;
    static final long MAX_BYTES = 64L * 1024 * 1024;
    static final int ER_ERROR_WHEN_EXECUTING_COMMAND = 1220;
    static final int MAX_WAITING = 16;
    private static final Logger log = LoggerFactory.getLogger(ShowBinlogEvents.class);
    /** One worker for every session's listings, started on first use, a daemon (nothing to finish at shutdown). */
    private static final ThreadPoolExecutor WORKER = worker();
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

    private static ThreadPoolExecutor worker() {
        ThreadPoolExecutor worker = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(MAX_WAITING), r -> {
            Thread t = new Thread(r, "show-binlog-events");
            t.setDaemon(true);
            return t;
        });
        worker.allowCoreThreadTimeOut(true);
        return worker;
    }

    /**
     * Answers on the worker thread. The future completes with the rows or with the error ({@code toResult} turns
     * a {@link SqlException} into the presented flavor's ERR), never exceptionally.
     */
    CompletableFuture<QueryResult> answerOffLoop(Statement.ShowBinlogEvents show, Function<SqlException, QueryResult> toResult) {
        CompletableFuture<QueryResult> answer = new CompletableFuture<>();
        try {
            WORKER.execute(() -> {
                try {
                    answer.complete(new QueryResult.Rows(answer(show)));
                } catch (SqlException e) {
                    answer.complete(toResult.apply(e));
                } catch (RuntimeException | Error e) {
                    log.warn("SHOW BINLOG EVENTS failed", e);
                    answer.complete(toResult.apply(failure("binlog-relay failed to read its store: " + e)));
                }
            });
        } catch (RejectedExecutionException e) {
            answer.complete(toResult.apply(failure(MAX_WAITING + " other SHOW BINLOG EVENTS are waiting; try again later")));
        }
        return answer;
    }

    /** Answers on the calling thread (the worker's task; tests). */
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
