package dev.binlogrelay.server.downstream;

import io.netty.buffer.ByteBuf;

import java.util.ArrayDeque;
import java.util.Queue;

/**
 * The session statements a new SQL backend connection must replay to be the client's session: the login database
 * ({@code USE}, first) and the SET statements the relay answered, oldest first. Owns its buffers; at most
 * {@link #MAX_BYTES} bytes of them. Event loop of the session only.
 */
final class SqlBackendSettingsLog {
    /** What a session's SET statements may hold for replaying on a new backend connection. */
    static final long MAX_BYTES = 64 * 1024;

    private final ArrayDeque<ByteBuf> commands = new ArrayDeque<>();
    private long bytes;

    /** Replays {@code USE database} before every other statement. */
    void useFirst(io.netty.buffer.ByteBufAllocator alloc, String database) {
        byte[] use = ("USE `" + database.replace("`", "``") + "`").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteBuf command = alloc.buffer(use.length + 1).writeByte(dev.binlogrelay.core.protocol.Commands.COM_QUERY).writeBytes(use);
        commands.addFirst(command);
        bytes += command.readableBytes();
    }

    /** Keeps a copy of {@code command} (the caller keeps its reference); false if it would pass the limit. */
    boolean add(ByteBuf command) {
        if (bytes + command.readableBytes() > MAX_BYTES) {
            return false;
        }
        commands.add(command.copy());
        bytes += command.readableBytes();
        return true;
    }

    /** Queues the whole log, in order, for a new connection (each entry a retained duplicate). */
    void replayInto(Queue<ByteBuf> queue) {
        for (ByteBuf command : commands) {
            queue.add(command.retainedDuplicate());
        }
    }

    void release() {
        commands.forEach(ByteBuf::release);
        commands.clear();
        bytes = 0;
    }
}
