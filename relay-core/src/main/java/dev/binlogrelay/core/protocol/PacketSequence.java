package dev.binlogrelay.core.protocol;

/**
 * The packet sequence id of one connection, shared by its {@link PacketDecoder} and {@link PacketEncoder}.
 * Every packet read must carry the expected id; every packet written takes the next one. A command starts a
 * new exchange: whoever sends the command calls {@link #reset()} first (the client before writing it, the
 * server before reading it).
 *
 * <p>Used from the channel's event loop only.
 */
public final class PacketSequence {
    private int next;
    /** While true, incoming packets are replies that each start at id 0 (see {@link #repliesStartAtZero}). */
    private boolean repliesAtZero;

    /** Starts a new command exchange: the next packet in either direction has id 0. */
    public void reset() {
        next = 0;
    }

    /**
     * The next packet in either direction has {@code id}. A semi-sync primary restarts its numbering after each event
     * it waits for an ack of (its next packet has id 1: the ack took id 0), and so does the relay as one.
     */
    public void restartAt(int id) {
        next = id & 0xFF;
    }

    /**
     * A semi-sync dump, seen from its primary: every packet the replica sends (an ack) is an exchange of its own
     * with id 0, and does not move the numbering of the events going the other way. Off again with {@code false}.
     */
    public void repliesStartAtZero(boolean on) {
        repliesAtZero = on;
    }

    /** Id the next packet must carry. */
    public int next() {
        return next;
    }

    /** Checks an incoming id and advances. */
    public void accept(int id) {
        if (repliesAtZero) {
            if (id != 0) {
                throw new ProtocolException("packet sequence id " + id + " where 0 was expected (a semi-sync reply)");
            }
            return;
        }
        if (id != next) {
            throw new ProtocolException("packet sequence id " + id + " where " + next + " was expected");
        }
        next = (next + 1) & 0xFF;
    }

    /** Takes the id for an outgoing packet and advances. */
    public int take() {
        int id = next;
        next = (next + 1) & 0xFF;
        return id;
    }
}
