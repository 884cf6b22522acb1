package dev.binlogrelay.server.it;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fault injection for one connection's send path: the allocator of a real pooled allocator whose
 * {@code failAt}-th buffer allocation (counted from when it is installed) throws an {@link OutOfMemoryError}, as
 * Netty does when direct memory runs out. Every other allocation is served by the pooled allocator.
 */
final class FailingAllocator implements ByteBufAllocator {
    private final ByteBufAllocator real = ByteBufAllocator.DEFAULT;
    private final int failAt;
    private final AtomicInteger allocations = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();

    FailingAllocator(int failAt) {
        this.failAt = failAt;
    }

    /** How many allocations failed so far. */
    int failures() {
        return failures.get();
    }

    private void maybeFail(int capacity) {
        if (allocations.incrementAndGet() == failAt) {
            failures.incrementAndGet();
            throw new OutOfMemoryError("Cannot reserve " + capacity + " bytes of direct buffer memory (injected)");
        }
    }

    @Override
    public ByteBuf buffer() {
        maybeFail(256);
        return real.buffer();
    }

    @Override
    public ByteBuf buffer(int initialCapacity) {
        maybeFail(initialCapacity);
        return real.buffer(initialCapacity);
    }

    @Override
    public ByteBuf buffer(int initialCapacity, int maxCapacity) {
        maybeFail(initialCapacity);
        return real.buffer(initialCapacity, maxCapacity);
    }

    @Override
    public ByteBuf ioBuffer() {
        maybeFail(256);
        return real.ioBuffer();
    }

    @Override
    public ByteBuf ioBuffer(int initialCapacity) {
        maybeFail(initialCapacity);
        return real.ioBuffer(initialCapacity);
    }

    @Override
    public ByteBuf ioBuffer(int initialCapacity, int maxCapacity) {
        maybeFail(initialCapacity);
        return real.ioBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public ByteBuf heapBuffer() {
        maybeFail(256);
        return real.heapBuffer();
    }

    @Override
    public ByteBuf heapBuffer(int initialCapacity) {
        maybeFail(initialCapacity);
        return real.heapBuffer(initialCapacity);
    }

    @Override
    public ByteBuf heapBuffer(int initialCapacity, int maxCapacity) {
        maybeFail(initialCapacity);
        return real.heapBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public ByteBuf directBuffer() {
        maybeFail(256);
        return real.directBuffer();
    }

    @Override
    public ByteBuf directBuffer(int initialCapacity) {
        maybeFail(initialCapacity);
        return real.directBuffer(initialCapacity);
    }

    @Override
    public ByteBuf directBuffer(int initialCapacity, int maxCapacity) {
        maybeFail(initialCapacity);
        return real.directBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public CompositeByteBuf compositeBuffer() {
        return real.compositeBuffer();
    }

    @Override
    public CompositeByteBuf compositeBuffer(int maxNumComponents) {
        return real.compositeBuffer(maxNumComponents);
    }

    @Override
    public CompositeByteBuf compositeHeapBuffer() {
        return real.compositeHeapBuffer();
    }

    @Override
    public CompositeByteBuf compositeHeapBuffer(int maxNumComponents) {
        return real.compositeHeapBuffer(maxNumComponents);
    }

    @Override
    public CompositeByteBuf compositeDirectBuffer() {
        return real.compositeDirectBuffer();
    }

    @Override
    public CompositeByteBuf compositeDirectBuffer(int maxNumComponents) {
        return real.compositeDirectBuffer(maxNumComponents);
    }

    @Override
    public boolean isDirectBufferPooled() {
        return real.isDirectBufferPooled();
    }

    @Override
    public int calculateNewCapacity(int minNewCapacity, int maxCapacity) {
        return real.calculateNewCapacity(minNewCapacity, maxCapacity);
    }
}
