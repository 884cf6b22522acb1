package dev.binlogrelay.server.downstream;

/** What a dump session does with a reader that holds memory without reading (see {@link DumpWriter}). */
@FunctionalInterface
interface StallListener {
    /**
     * @param heldBytes     what its pending writes hold
     * @param idleNanos     how long it has drained nothing
     * @param underPressure the global budget is spent and other readers wait (else: the write timeout passed)
     */
    void stalled(long heldBytes, long idleNanos, boolean underPressure);
}
