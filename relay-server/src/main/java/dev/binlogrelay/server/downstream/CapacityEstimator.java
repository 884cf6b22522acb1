package dev.binlogrelay.server.downstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.FileRegion;
import io.netty.channel.MessageSizeEstimator;

/**
 * Sizes a pending write by the memory behind it for the channel's write-buffer watermarks
 * ({@code downstream.write_buffer_high}/{@code write_buffer_low}): a buffer counts its capacity, not its readable
 * bytes. Netty's default counts readable bytes, so 300 bytes of one commit in a 64 KiB pooled buffer counted as
 * 300 and a reader that did not read could hold 200 times its high watermark (issue 16: one non-reading reader
 * and 30,000 single-row commits took the relay's RSS from 250 to 685 MiB).
 *
 * <p>Stateless and shared by every channel.
 */
final class CapacityEstimator implements MessageSizeEstimator {
    static final CapacityEstimator INSTANCE = new CapacityEstimator();
    private static final int UNKNOWN_SIZE = 8;
    private static final Handle HANDLE = msg -> {
        if (msg instanceof ByteBuf b) {
            return b.capacity();
        }
        if (msg instanceof ByteBufHolder h) {
            return h.content().capacity();
        }
        if (msg instanceof FileRegion) {
            return 0;
        }
        return UNKNOWN_SIZE;
    };

    private CapacityEstimator() {
    }

    @Override
    public Handle newHandle() {
        return HANDLE;
    }
}
