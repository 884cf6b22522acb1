package dev.binlogrelay.server.it;

import dev.binlogrelay.core.binlog.ArtificialEvents;
import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.storage.BinlogPosition;

import java.io.IOException;
import java.time.Duration;

/**
 * A blocking dump reader on the relay that remembers where the last event it received ends: everything the relay
 * made visible to it. After the relay is killed, that position must still be in the relay's recovered store.
 * The reader does not declare a checksum, so the relay sends events without CRC.
 */
final class StreamObserver implements AutoCloseable {
    private final RawDumpClient client;
    private final Thread thread;
    private volatile BinlogPosition lastEnd;
    private volatile long events;
    private volatile Throwable failure;
    private String file;

    StreamObserver(int port, BinlogPosition from, long serverId) throws IOException {
        this.client = new RawDumpClient(port, RelayHarness.USER, RelayHarness.PASSWORD);
        this.file = from.file();
        this.lastEnd = from;
        client.sendDump(from.file(), from.position(), serverId, 0);
        this.thread = new Thread(this::run, "stream-observer-" + serverId);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void run() {
        try {
            for (byte[] e; (e = client.readEvent()) != null; ) {
                accept(e);
            }
        } catch (IOException endOfStream) {
            // the relay went away: what counts is what arrived before
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    private void accept(byte[] e) {
        events++;
        int type = Events.type(e);
        long logPos = Events.logPos(e);
        if (type == EventType.ROTATE) {
            if (logPos != 0 && !Events.isArtificial(e)) {
                lastEnd = new BinlogPosition(file, logPos); // the real rotate ends the file
            }
            file = ArtificialEvents.parseRotate(e, ChecksumAlgorithm.NONE).file();
            return;
        }
        if (logPos != 0 && type != EventType.HEARTBEAT && !Events.isArtificial(e)) {
            lastEnd = new BinlogPosition(file, logPos);
        }
    }

    /** Waits (bounded) for the stream to end, then returns the end of the last event received. */
    BinlogPosition awaitEnd(Duration timeout) throws InterruptedException {
        thread.join(timeout.toMillis());
        if (thread.isAlive()) {
            throw new AssertionError("the observer's stream did not end within " + timeout + " of the relay's death");
        }
        if (failure != null) {
            throw new AssertionError("the observer could not read the relay's stream: " + failure, failure);
        }
        return lastEnd;
    }

    long events() {
        return events;
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
