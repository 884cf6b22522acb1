package dev.binlogrelay.storage;

import java.util.Objects;

/** A coordinate in the upstream primary's binary log: file name and byte offset inside that file. */
public record BinlogPosition(String file, long position) {
    public BinlogPosition {
        Objects.requireNonNull(file, "file");
        if (position < 0) {
            throw new IllegalArgumentException("negative binlog position " + position + " in " + file);
        }
    }

    @Override
    public String toString() {
        return file + ":" + position;
    }
}
