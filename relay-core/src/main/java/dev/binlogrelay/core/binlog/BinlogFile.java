package dev.binlogrelay.core.binlog;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A whole binlog file, checked before anything of it is used.
 *
 * <pre>
 * 0xFE 'b' 'i' 'n' | event at 4 (a FORMAT_DESCRIPTION) | event | ... | end of file
 * every event's size field chains to the next event; the last one ends exactly at the end of the file
 * (log_pos is not checked: in relay logs it holds the primary's positions);
 * with CRC32 (per the FDE) every event's CRC verifies (the FDE's computed with the in-use flag cleared)
 * </pre>
 */
public final class BinlogFile {
    public static final byte[] MAGIC = {(byte) 0xFE, 'b', 'i', 'n'};

    private final String name;
    private final List<byte[]> events;
    private final ChecksumAlgorithm checksum;

    private BinlogFile(String name, List<byte[]> events, ChecksumAlgorithm checksum) {
        this.name = name;
        this.events = events;
        this.checksum = checksum;
    }

    /**
     * Parses and checks a file's bytes.
     *
     * @throws BinlogFormatException naming the file, the offset and the reason on the first problem
     */
    public static BinlogFile parse(String name, byte[] data) {
        if (data.length < 4 || !Arrays.equals(Arrays.copyOf(data, 4), MAGIC)) {
            throw new BinlogFormatException(name + " at offset 0: not a binlog file (no 0xFE 'bin' magic)");
        }
        List<byte[]> events = new ArrayList<>();
        ChecksumAlgorithm checksum = ChecksumAlgorithm.NONE;
        long pos = 4;
        while (pos < data.length) {
            if (data.length - pos < Events.HEADER_SIZE) {
                throw new BinlogFormatException(name + " at offset " + pos + ": truncated event header ("
                        + (data.length - pos) + " of 19 bytes)");
            }
            long size = Events.u32(data, (int) pos + Events.OFFSET_SIZE);
            if (size < Events.HEADER_SIZE) {
                throw new BinlogFormatException(name + " at offset " + pos + ": event size " + size + " is smaller than its header");
            }
            if (pos + size > data.length) {
                throw new BinlogFormatException(name + " at offset " + pos + ": event of " + size + " bytes runs past the end of the file ("
                        + (data.length - pos) + " bytes left)");
            }
            byte[] e = Arrays.copyOfRange(data, (int) pos, (int) (pos + size));
            int type = Events.type(e);
            if (events.isEmpty() && type != EventType.FORMAT_DESCRIPTION) {
                throw new BinlogFormatException(name + " at offset 4: the first event is " + EventType.name(type)
                        + ", not a FORMAT_DESCRIPTION");
            }
            if (type == EventType.FORMAT_DESCRIPTION) {
                try {
                    checksum = FormatDescription.checksum(e);
                } catch (BinlogFormatException ex) {
                    throw new BinlogFormatException(name + " at offset " + pos + ": " + ex.getMessage());
                }
            }
            if (checksum == ChecksumAlgorithm.CRC32 && !Events.crcMatches(e)) {
                throw new BinlogFormatException(name + " at offset " + pos + ": " + EventType.name(type)
                        + " event fails its CRC32 check");
            }
            events.add(e);
            pos += size;
        }
        if (events.isEmpty()) {
            throw new BinlogFormatException(name + " at offset 4: the file holds no events");
        }
        return new BinlogFile(name, List.copyOf(events), checksum);
    }

    public String name() {
        return name;
    }

    /** The events in file order; the first starts at offset 4. */
    public List<byte[]> events() {
        return events;
    }

    public byte[] formatDescription() {
        return events.get(0);
    }

    /** The algorithm of the file's last format description. */
    public ChecksumAlgorithm checksum() {
        return checksum;
    }
}
