package dev.binlogrelay.storage;

/**
 * A binlog file the store holds: its name, its order among files, how many bytes of it are committed
 * (the offset after its last stored event) and where its first stored event starts (4, unless the relay
 * began replicating in the middle of the file).
 */
public record BinlogFileInfo(String name, long sequence, long size, long firstPosition) {
    /** The bytes of this file the store holds: from its first stored event to its committed end. */
    public long storedBytes() {
        return size - firstPosition;
    }
}
