package dev.binlogrelay.server.downstream;

import dev.binlogrelay.server.memory.PendingWriteBudget;
import dev.binlogrelay.core.binlog.ArtificialEvents;
import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.core.binlog.FormatDescription;
import dev.binlogrelay.core.protocol.EofPacket;
import dev.binlogrelay.core.protocol.ServerStatus;
import dev.binlogrelay.server.metrics.RelayMetrics;
import dev.binlogrelay.storage.BinlogCursor;
import dev.binlogrelay.storage.BinlogPosition;
import dev.binlogrelay.storage.StoredEvent;
import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Streams the store to one reader the way a MariaDB dump thread does: for every file a fake rotate and the
 * file's format description (re-sent with log_pos and creation time zeroed when the dump starts inside the
 * file), then the stored events. ANNOTATE_ROWS are left out unless the reader asked for them; a GTID reader's
 * stream starts at the beginning of the file holding its position, skips the groups it already has and then
 * gets a fake GTID_LIST (the {@link ReaderGtidFilter} chosen for how it asked); heartbeats go out when idle.
 * Checksums follow {@link ReaderOptions#asStored()} ({@link ReaderChecksums}). One
 * exception to the preamble, where the relay does better than the primary: a MariaDB file/position replica
 * resuming inside a rows statement gets no fake rotate and format description before the statement's next rows
 * event (they would stop it with 1595; see {@code ClientSession#continuesRowsStatement}).
 *
 * <p>Threading: everything runs on the reader channel's event loop. Commits reach it through the loop's
 * {@link CommitFanOut}, which pumps every session of the loop from one task. The reader is paused while its
 * pending writes are above the high watermark (counted by the memory behind them) or the global pending-write
 * budget is spent (see {@link DumpWriter}), so a slow reader holds a bounded amount of memory and never slows the
 * upstream or other readers; one that holds memory without reading for {@code downstream.write_timeout} is
 * disconnected.
 *
 * <p>Failures: any exception or error while serving this reader (an allocation failure included) ends this
 * reader's connection with one log line, and nothing after the failed event is ever sent to it: its stream is a
 * gap-free prefix of the binlog, so it resumes where it stopped when it reconnects. Other readers of the loop
 * are not touched.
 */
final class DumpSession {
    private static final Logger log = LoggerFactory.getLogger(DumpSession.class);
    private static final int MAX_EVENTS_PER_PUMP = 4096;
    /**
     * A pump hands back the event loop after this many bytes: a reader catching up from far behind (whose socket
     * drains as fast as the loop fills it) then takes turns with the tail readers of its loop instead of holding
     * the loop for a whole write-buffer's worth of events.
     */
    private static final long MAX_BYTES_PER_PUMP = 128 * 1024;

    private final Channel channel;
    private final String reader;
    private final RelayMetrics metrics;
    private final DumpWriter out;
    private final BinlogCursor cursor;
    private final ReaderOptions options;
    private final ReaderGtidFilter filter;
    private final ReaderChecksums checksums;
    private final FileFormats formats;
    /** The stream starts inside a rows statement for a replica that has its beginning: no preamble (see start). */
    private final boolean continuesStatement;
    private final CommitFanOut commits;
    /** Runs on the event loop once a non-blocking dump's EOF is written: the connection takes commands again. */
    private final Runnable afterEof;
    private final AtomicBoolean pumpScheduled = new AtomicBoolean();
    private String currentFile;
    private boolean skippingGroup;
    private boolean finished;
    private boolean sentSinceHeartbeat;
    private ScheduledFuture<?> heartbeatTask;
    private long eventsSent;
    /** The reader dumps with semi-sync: the last event of each transaction asks it for an ack. */
    private boolean semiSync;
    /** End of the last stored event queued for the reader (in the batch being filled or handed to the channel). */
    private BinlogPosition queuedUpTo;
    /**
     * Where the reader's stream stands for certain: every event before it was handed to the channel (set after
     * each pump's flush returned; events handed over earlier within a pump count from the pump's end).
     */
    private volatile BinlogPosition handedUpTo;
    /** Binlog bytes handed to the reader's channel so far (for SHOW PROCESSLIST and metrics; one writer, the loop). */
    private volatile long bytesSent;
    private final long startedNanos = System.nanoTime();

    /**
     * @param reader how log lines name the reader ("/10.0.0.7:51234 (server_id 3)")
     */
    DumpSession(Channel channel, String reader, dev.binlogrelay.core.protocol.PacketSequence sequence,
                BinlogCursor cursor, ReaderOptions options, boolean continuesStatement, FileFormats formats,
                CommitFanOut commits, PendingWriteBudget budget, long writeTimeoutNanos, RelayMetrics metrics,
                Runnable afterEof) {
        this.channel = channel;
        this.afterEof = afterEof;
        this.reader = reader;
        this.metrics = metrics;
        this.commits = commits;
        this.out = new DumpWriter(channel, sequence, budget, writeTimeoutNanos, this::schedulePump, this::fail,
                this::stalled);
        this.cursor = cursor;
        this.options = options;
        this.continuesStatement = continuesStatement;
        this.formats = formats;
        this.filter = ReaderGtidFilter.of(options.start());
        this.checksums = new ReaderChecksums(options);
    }

    /**
     * Before {@link #start}: the reader set {@code @rpl_semi_sync_slave}. Every event packet carries the semi-sync
     * header, and the last event of each transaction asks for an ack (which {@code ClientSession} reads).
     */
    void semiSync() {
        semiSync = true;
        out.semiSync();
    }

    /** Sends the stream preamble and starts streaming. Event loop only. */
    void start() {
        try {
            startStream();
        } catch (Throwable t) {
            fail(t);
        }
    }

    private void startStream() {
        String file = cursor.position().file();
        long pos = cursor.position().position();
        handedUpTo = cursor.position();
        queuedUpTo = handedUpTo;
        currentFile = file;
        checksums.startFile(formats.checksum(file), formats.formatDescription(file));
        if (!continuesStatement) {
            // the first fake rotate uses the algorithm the reader declared, whatever the reader's mode
            write(ArtificialEvents.fakeRotate(options.serverId(), file, pos, options.checksum()));
            if (pos > 4) {
                write(checksums.convertFde(FormatDescription.asResent(formats.formatDescription(file))));
            }
        }
        // else: a MariaDB file/position replica resuming inside a rows statement it has the beginning of gets the
        // statement's next rows event first; a fake rotate or format description before the statement's end would
        // stop it with 1595 (ClientSession#continuesRowsStatement). Later files get their rotate and FDE as usual.
        commits.add(this);
        if (options.heartbeatNanos() > 0) {
            long ms = Math.max(1, TimeUnit.NANOSECONDS.toMillis(options.heartbeatNanos()));
            heartbeatTask = channel.eventLoop().scheduleAtFixedRate(this::heartbeat, ms, ms, TimeUnit.MILLISECONDS);
        }
        channel.closeFuture().addListener(f -> stop());
        out.flush();
        pump();
    }

    /** Sends events until the reader's buffer is full or the store has nothing more. Event loop only. */
    void pump() {
        pumpScheduled.set(false);
        if (finished || !channel.isActive()) {
            return;
        }
        try {
            pumpEvents();
        } catch (Throwable t) {
            fail(t);
        }
    }

    private void pumpEvents() {
        int n = 0;
        long bytes = 0;
        boolean more = false;
        while (!finished && out.canWrite()) {
            if (n == MAX_EVENTS_PER_PUMP || bytes >= MAX_BYTES_PER_PUMP) {
                more = true;
                break;
            }
            StoredEvent e = cursor.nextWithoutWaiting();
            if (e == null) {
                var read = cursor.pendingRead();
                if (read != null) {
                    // the next events are being read from RocksDB on a loader thread: the loop serves the
                    // other readers meanwhile, and this one resumes when the read is done
                    read.whenComplete((v, t) -> schedulePump());
                    break;
                }
                if (options.nonBlocking()) {
                    finishWithEof();
                }
                break;
            }
            n++;
            bytes += e.length();
            send(e);
            queuedUpTo = new BinlogPosition(e.file(), e.endPosition());
        }
        if (!finished) {
            out.flush();
            handedUpTo = queuedUpTo;
            bytesSent += bytes;
        }
        if (more) {
            schedulePump(); // behind the tasks already queued on this loop: the other readers' turns
        }
    }

    private void send(StoredEvent e) {
        int type = e.byteAt(Events.OFFSET_TYPE);
        if (type == EventType.FORMAT_DESCRIPTION) {
            byte[] bytes = e.bytes();
            if (!e.file().equals(currentFile)) {
                // every new file is announced by a fake rotate before its format description, made (as the server
                // makes it) with the algorithm of the file before: the reader learns the new one from the FDE
                currentFile = e.file();
                write(ArtificialEvents.fakeRotate(options.serverId(), currentFile, e.position(), checksums.artificial()));
            }
            checksums.formatDescription(bytes);
            write(checksums.convertFde(bytes));
            return;
        }
        if (e.startsGroup()) {
            skippingGroup = filter.skipsGroup(e.bytes(), type, checksums.stored());
        }
        boolean skip = skippingGroup || (type == EventType.MARIA_ANNOTATE_ROWS && !options.sendAnnotate());
        if (!skip) {
            // as stored: copied once, from the store's mapped event file (or the hot cache) into the send batch
            write(checksums.passesThrough() ? e.view() : ByteBuffer.wrap(checksums.convert(e.bytes())),
                    semiSync && e.endsGroup());
        }
        if (e.endsGroup()) {
            boolean wasSkipping = skippingGroup;
            skippingGroup = false;
            byte[] where = wasSkipping ? filter.afterSkippedGroup(options.serverId(), e.endPosition(), checksums.artificial())
                    : null;
            if (where != null) {
                write(where);
            }
        }
    }

    /** Queues one event packet (see {@link DumpWriter#event}). */
    private void write(byte[] event) {
        write(event, false);
    }

    /** Queues one event packet, asking a semi-sync reader for an ack of it if {@code ackRequested}. */
    private void write(byte[] event, boolean ackRequested) {
        write(ByteBuffer.wrap(event), ackRequested);
    }

    /** Queues one event packet given as a buffer (position to limit, not moved; see {@link DumpWriter#event}). */
    private void write(ByteBuffer event, boolean ackRequested) {
        out.event(event, ackRequested);
        sentSinceHeartbeat = true;
        eventsSent++;
    }

    /**
     * Tells an idle reader the relay is alive: a small packet of exactly its size, and only while the reader
     * drains what it has (back-pressure: a reader that is not reading does not need it, and it must not pile up).
     */
    private void heartbeat() {
        if (finished || !channel.isActive()) {
            return;
        }
        try {
            if (!sentSinceHeartbeat && !skippingGroup) {
                var p = cursor.position();
                out.single(ArtificialEvents.heartbeat(options.serverId(), p.file(), p.position(), checksums.artificial()));
            }
            sentSinceHeartbeat = false;
        } catch (Throwable t) {
            fail(t);
        }
    }

    private void finishWithEof() {
        out.flush();
        finished = true;
        channel.writeAndFlush(new EofPacket(0, ServerStatus.AUTOCOMMIT).encode(channel.alloc()));
        stop();
        // as after the server's own non-blocking dump, the connection is back in its command phase: the client's
        // next packet (COM_QUIT from mariadb-binlog, or another command) starts a new exchange at id 0
        afterEof.run();
    }

    /**
     * Ends this reader after a failure in its send path (an allocation failure, a bug, a failed write): one log
     * line and the connection is closed; nothing queued after the failure reaches the reader, so what it
     * received is a gap-free prefix of its stream. A peer that went away is not an error worth a warning.
     */
    void fail(Throwable cause) {
        if (finished) {
            return;
        }
        if (cause instanceof java.io.IOException) {
            log.debug("dump to {} ended: {}", reader, cause.toString());
        } else {
            metrics.readerSendFailure();
            log.warn("closing reader {} after a failure in its send path ({}); it was handed everything before {}",
                    reader, cause, handedUpTo);
            log.debug("send path failure of reader {}", reader, cause);
        }
        stop();
        channel.close();
    }

    /** The reader held pending writes without reading any of them for too long (see {@link DumpWriter}). */
    private void stalled(long heldBytes, long idleNanos, boolean underPressure) {
        if (finished) {
            return;
        }
        metrics.readerWriteTimeout();
        log.warn("closing reader {}: it read nothing for {} s while {} bytes were waiting for it ({}); it was handed "
                        + "everything before {} and may reconnect and resume there", reader,
                TimeUnit.NANOSECONDS.toSeconds(idleNanos), heldBytes,
                underPressure ? "readers' pending writes are at downstream.max_pending_bytes and others wait"
                        : "downstream.write_timeout", handedUpTo);
        stop();
        channel.close();
    }

    /** The store committed; called by the loop's {@link CommitFanOut} on this session's event loop. */
    void onCommitInLoop() {
        if (!finished && channel.isWritable()) {
            pump();
        }
    }

    /** When the dump was asked for (System.nanoTime), for SHOW PROCESSLIST's Time. */
    long startedNanos() {
        return startedNanos;
    }

    /** Where the reader's stream stands (see handedUpTo); null before the stream started. Any thread. */
    BinlogPosition streamPosition() {
        return handedUpTo;
    }

    /** Binlog bytes handed to the reader's channel so far. Any thread. */
    long bytesSent() {
        return bytesSent;
    }

    void onWritable() {
        if (!finished) {
            schedulePump();
        }
    }

    private void schedulePump() {
        if (pumpScheduled.compareAndSet(false, true)) {
            channel.eventLoop().execute(this::pump);
        }
    }

    void stop() {
        boolean wasFinished = finished;
        finished = true;
        if (channel.eventLoop().inEventLoop()) {
            out.close();
        } else {
            channel.eventLoop().execute(out::close);
        }
        commits.remove(this);
        if (heartbeatTask != null) {
            heartbeatTask.cancel(false);
        }
        if (channel.eventLoop().inEventLoop()) {
            cursor.close();
        } else {
            channel.eventLoop().execute(cursor::close);
        }
        if (!wasFinished) {
            log.debug("dump to {} stopped after {} events", reader, eventsSent);
        }
    }
}
