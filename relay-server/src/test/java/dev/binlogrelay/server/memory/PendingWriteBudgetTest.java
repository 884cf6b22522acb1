package dev.binlogrelay.server.memory;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PendingWriteBudgetTest {
    @Test
    void countsReservationsAndThePeak() {
        PendingWriteBudget b = new PendingWriteBudget(100);
        b.reserve(60);
        b.reserve(50);
        assertEquals(110, b.used());
        assertFalse(b.hasRoom());
        b.release(60);
        assertTrue(b.hasRoom());
        assertEquals(50, b.used());
        assertEquals(110, b.peak());
    }

    @Test
    void aWaiterIsWokenOnceWhenRoomReturns() {
        PendingWriteBudget b = new PendingWriteBudget(100);
        AtomicInteger woken = new AtomicInteger();
        b.reserve(100);
        b.whenRoom(woken::incrementAndGet);
        assertEquals(0, woken.get());
        b.reserve(10);
        b.release(10); // still full
        assertEquals(0, woken.get());
        b.release(1);
        assertEquals(1, woken.get());
        b.release(50);
        assertEquals(1, woken.get(), "a wake-up is used once");
    }

    @Test
    void aWaiterRegisteringWhenThereIsRoomIsWokenAtOnce() {
        PendingWriteBudget b = new PendingWriteBudget(100);
        AtomicInteger woken = new AtomicInteger();
        b.whenRoom(woken::incrementAndGet);
        assertEquals(1, woken.get());
    }

    @Test
    void aBudgetMustHoldSomething() {
        assertThrows(IllegalArgumentException.class, () -> new PendingWriteBudget(0));
    }
}
