package dev.binlogrelay.server.canal;

import com.alibaba.otter.canal.protocol.CanalPacket;
import com.alibaba.otter.canal.protocol.CanalPacket.Packet;
import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * A connection's get that waits for room in the Canal memory budget ({@code canal.max_pending_bytes}) before it
 * reads anything: it starts once writes of other batches complete (or connections close) and bring the total under
 * the budget, or, when its timeout passes first, it is answered with an empty batch (batch id -1), as Canal answers
 * a get that found nothing in time.
 * <pre>
 *   get timeout   waits for room
 *   &gt; 0           at most the timeout
 *   0 (until full) until there is room (it would wait that long for entries anyway)
 *   -1 (at once)  at most {@link #NO_TIMEOUT_WAIT_MS} ms, so a polling client does not spin on empty answers
 * </pre>
 * Why wait rather than refuse with an error: the stock client throws on an error ACK (a {@code CanalClientException}
 * from {@code getWithoutAck}), which most applications treat as fatal or answer by reconnecting and rolling back,
 * re-reading every unacknowledged batch: more work exactly when memory is short. An empty batch is what every
 * client already handles (it polls again), and nothing is lost: the entries come in a later batch.
 *
 * <p>A session has at most one wake-up in the budget's queue ({@link #wake}, registered once however many gets
 * wait in turn), taken back when the connection closes, so clients polling while the budget is spent cannot grow
 * the queue.
 *
 * <p>Threading: the connection's event loop (the budget's wake-up only schedules onto it).
 */
final class GetAdmission {
    static final long NO_TIMEOUT_WAIT_MS = 100;

    private final CanalSession session;
    /** The get waiting now, or null; its wake-ups and timer check it is still the one. */
    private Packet waiting;
    private ScheduledFuture<?> timer;
    /** This session's wake-up: schedules {@link #room} on the event loop. */
    private final Runnable wake = this::wake;
    /** {@link #wake} is in the budget's queue or has run and its {@link #room} is not done yet. */
    private boolean registered;

    GetAdmission(CanalSession session) {
        this.session = session;
    }

    private void wake() {
        session.context().executor().execute(this::room);
    }

    /**
     * True if the client of get {@code p} has entries read ahead: its get takes them (freeing memory) rather than
     * wait for room, else the read-ahead of waiting clients could hold the budget they wait for.
     */
    boolean readAhead(Packet p) {
        try {
            CanalPacket.Get get = CanalPacket.Get.parseFrom(p.getBody());
            ClientStream s = session.streams().get(CanalClients.key(get.getDestination(),
                    CanalCommands.clientId(get.getClientId())));
            return s != null && s.hasReadAhead();
        } catch (InvalidProtocolBufferException | CanalError e) {
            return true; // carried out at once: the command answers with Canal's error
        }
    }

    /** Event loop: holds get {@code p} until the budget has room (then carries it out) or its wait ends. */
    void await(Packet p) {
        long waitMs = waitMillis(p);
        if (waitMs == Long.MIN_VALUE) {
            session.carryOut(p); // malformed: the command answers with Canal's error
            return;
        }
        waiting = p;
        session.clients().waitedForRoom(); // and parked gets holding entries answer with them, making room
        if (waitMs >= 0) {
            timer = session.context().executor().schedule(() -> expire(p), waitMs, TimeUnit.MILLISECONDS);
        }
        register();
    }

    private void register() {
        if (!registered) {
            registered = true;
            session.clients().budget().whenRoom(wake);
        }
    }

    private void room() {
        registered = false;
        Packet p = waiting;
        if (p == null) {
            return; // its wait ended: the next get registers again
        }
        if (!session.clients().budget().hasRoom()) {
            register(); // another get took the room first
            return;
        }
        waiting = null;
        cancelTimer();
        session.carryOut(p);
    }

    private void expire(Packet p) {
        if (waiting != p) {
            return;
        }
        waiting = null;
        session.carryOutEmpty(p); // an empty batch, after the checks a get has (subscribed?) and the client seen
    }

    /** The connection closed: the waiting get (if any) ends without an answer. */
    void cancel() {
        if (registered) {
            session.clients().budget().forget(wake);
            registered = false; // a wake-up already run finds nothing waiting
        }
        if (waiting != null) {
            waiting = null;
            cancelTimer();
            session.done(null, null);
        }
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** How long {@code p} may wait for room, in ms; -1: no bound. */
    private static long waitMillis(Packet p) {
        CanalPacket.Get get;
        try {
            get = CanalPacket.Get.parseFrom(p.getBody());
        } catch (InvalidProtocolBufferException e) {
            return Long.MIN_VALUE;
        }
        if (get.getTimeout() == -1) {
            return NO_TIMEOUT_WAIT_MS;
        }
        if (get.getTimeout() <= 0) {
            return -1;
        }
        return Math.max(1, CanalCommands.unit(get.getUnit()).toMillis(get.getTimeout()));
    }
}
