package dev.binlogrelay.core.protocol;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * An unpooled allocator that remembers every buffer it hands out, so a test can assert that every one of them was
 * released: a leak check that does not depend on the garbage collector. Install it on an
 * {@link io.netty.channel.embedded.EmbeddedChannel} with {@code channel.config().setAllocator(...)} and make the
 * test's own input buffers with {@link #copyOf}, so cumulation buffers, decoder composites, encoder headers and
 * inputs are all tracked.
 */
final class TrackingAllocator extends AbstractByteBufAllocator {
    private final List<ByteBuf> made = new ArrayList<>();

    TrackingAllocator() {
        super(false);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return track(new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity));
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return track(new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity));
    }

    @Override
    public CompositeByteBuf compositeHeapBuffer(int maxNumComponents) {
        return track(super.compositeHeapBuffer(maxNumComponents));
    }

    @Override
    public CompositeByteBuf compositeDirectBuffer(int maxNumComponents) {
        return track(super.compositeDirectBuffer(maxNumComponents));
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    /** A tracked buffer holding {@code bytes[from, from + length)}. */
    ByteBuf copyOf(byte[] bytes, int from, int length) {
        return buffer(length, length).writeBytes(bytes, from, length);
    }

    ByteBuf copyOf(byte[] bytes) {
        return copyOf(bytes, 0, bytes.length);
    }

    int allocated() {
        return made.size();
    }

    void assertAllReleased() {
        List<String> live = new ArrayList<>();
        for (ByteBuf b : made) {
            if (b.refCnt() != 0) {
                live.add(b.getClass().getSimpleName() + "(capacity " + b.capacity() + ", refCnt " + b.refCnt() + ")");
            }
        }
        if (!live.isEmpty()) {
            fail(live.size() + " of " + made.size() + " buffers not released: " + live);
        }
    }

    private <T extends ByteBuf> T track(T buf) {
        made.add(buf);
        return buf;
    }
}
