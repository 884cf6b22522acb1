package dev.binlogrelay.storage;

import java.util.List;

/**
 * The single writer of a {@link BinlogStore}. Exactly one thread may call it.
 */
public interface BinlogWriter {
    /**
     * Appends one complete group (a whole transaction, or one or more standalone events such as a format
     * description, rotate, GTID list or binlog checkpoint) to {@code file}, together with metadata updates,
     * in one atomic write. With an fsync per append ({@link SyncMode.EveryGroup}), or none, when this returns the
     * group is durable (as configured) and visible to readers; with the syncer ({@link SyncMode.GroupCommit}, a
     * sync interval) its bytes are written when this returns and it becomes durable and visible when the
     * syncer's next fsync covers it (or at {@link BinlogStore#syncNow()}).
     * Either way no reader sees any of it before it is durable, and no reader ever sees part of it. (It is
     * published just before the commit listeners run, so a reader they wake may read it while this call
     * is finishing.)
     *
     * <p>Positions must be contiguous: the first event starts at the file's current committed end, or at 4
     * for a file the store has not seen (which then becomes the newest file). A group never spans files.
     * Only the very first file of an empty store may start later than 4 (replication began inside it).
     *
     * <p>The store keeps the events' byte arrays (its hot cache hands them to readers): do not modify them
     * after the call.
     *
     * @param state what the store remembers that changes with the group (the GTID state after it, the file's format
     *              description), stored in the same atomic write; {@link StateUpdate#NONE} for nothing
     * @throws StoreException on a storage failure or a non-contiguous position; nothing is then written
     */
    void appendGroup(String file, List<EventToStore> events, StateUpdate state);

    /**
     * Appends several complete groups, in order, in one atomic write (one fsync per call with
     * {@code storage.sync: every_transaction}): what a burst of transactions from one network read costs.
     * Each group follows the rules of {@link #appendGroup}; the groups may span files (a rotate ends one, the
     * next starts the new file). Readers see all of them at once, and none before they are durable.
     *
     * @throws StoreException on a storage failure or an invalid group; nothing of any group is then written
     */
    void appendGroups(List<Group> groups);

    /** One complete group for {@link #appendGroups}. */
    record Group(String file, List<EventToStore> events, StateUpdate state) {
        public Group {
            state = state == null ? StateUpdate.NONE : state;
        }

        /** Bytes of the group's events. */
        public long bytes() {
            long n = 0;
            for (EventToStore e : events) {
                n += e.bytes().length;
            }
            return n;
        }
    }
}
