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

    /** Starts a new command exchange: the next packet in either direction has id 0. */
    public void reset() {
        next = 0;
    }

    /** Id the next packet must carry. */
    public int next() {
        return next;
    }

    /** Checks an incoming id and advances. */
    public void accept(int id) {
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
