package dev.binlogrelay.bench.reader;

/**
 * What one reader received. {@code wireBytes} and {@code events} count everything (packet headers, fake
 * rotates, heartbeats, the EOF packet); the {@code real*} totals and the fingerprint count only the events that
 * come from the binary log files, and so must be equal for every reader of the same binlog, through the relay
 * or not. Written by one thread at a time.
 */
public final class StreamTally {
    long wireBytes;
    long events;
    long realEvents;
    long realEventBytes;
    long fingerprint;
    long crcErrors;
    boolean eof;
    String problem;

    public long wireBytes() {
        return wireBytes;
    }

    public long events() {
        return events;
    }

    public long realEvents() {
        return realEvents;
    }

    public long realEventBytes() {
        return realEventBytes;
    }

    public long fingerprint() {
        return fingerprint;
    }

    public long crcErrors() {
        return crcErrors;
    }

    public boolean eof() {
        return eof;
    }

    /** Null when the stream was well-formed and ended with EOF so far. */
    public String problem() {
        return problem;
    }

    /** Order-dependent fold of one event into a fingerprint: its type, size and last four bytes (its CRC32). */
    public static long mix(long fingerprint, int type, long size, int crc) {
        long v = (size << 40) ^ ((long) type << 32) ^ Integer.toUnsignedLong(crc);
        return (fingerprint ^ v) * 0x100000001B3L + 0x9E3779B97F4A7C15L;
    }

    @Override
    public String toString() {
        return "wire " + wireBytes + " B, " + events + " events (" + realEvents + " from the files, " + realEventBytes
                + " B, fingerprint " + Long.toHexString(fingerprint) + ")" + (crcErrors > 0 ? ", " + crcErrors + " CRC errors" : "")
                + (eof ? "" : ", no EOF") + (problem == null ? "" : ", " + problem);
    }
}
