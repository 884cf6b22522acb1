package dev.binlogrelay.core.binlog;

import java.nio.charset.StandardCharsets;

/**
 * The format description event (type 15), the first event of every v4 binlog file.
 *
 * <pre>
 * header (19)
 * binlog_version (2) | server_version (50, NUL-padded) | create_timestamp (4) | header_length (1)
 * post_header_lengths (one byte per event type)
 * checksum_alg (1)    \ present from MySQL 5.6.1 / MariaDB 5.3 on; the FDE always ends with these 5 bytes,
 * checksum (4)        / even when checksum_alg is 0 (NONE)
 * </pre>
 */
public final class FormatDescription {
    private static final int OFFSET_VERSION = Events.HEADER_SIZE + 2;
    private static final int OFFSET_CREATE_TS = OFFSET_VERSION + 50;
    private static final int MIN_SIZE = OFFSET_CREATE_TS + 4 + 1;

    private FormatDescription() {
    }

    public static void check(byte[] fde) {
        if (Events.type(fde) != EventType.FORMAT_DESCRIPTION) {
            throw new BinlogFormatException("expected a FORMAT_DESCRIPTION event, got " + EventType.name(Events.type(fde)));
        }
        if (fde.length < MIN_SIZE + 5) {
            throw new BinlogFormatException("format description of " + fde.length + " bytes is too short");
        }
    }

    public static String serverVersion(byte[] fde) {
        int end = OFFSET_VERSION;
        while (end < OFFSET_VERSION + 50 && fde[end] != 0) {
            end++;
        }
        return new String(fde, OFFSET_VERSION, end - OFFSET_VERSION, StandardCharsets.US_ASCII);
    }

    /**
     * Whether the FDE carries the checksum algorithm byte: servers from MySQL 5.6.1 and MariaDB 5.3 on write it;
     * older ones (MySQL 5.5 and before) write neither it nor checksums.
     */
    public static boolean hasChecksumField(byte[] fde) {
        check(fde);
        String version = serverVersion(fde);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)\\.(\\d+)").matcher(version);
        if (!m.find()) {
            return true;
        }
        int[] v = {versionPart(m.group(1)), versionPart(m.group(2)), versionPart(m.group(3))};
        boolean mariaDb = version.toLowerCase(java.util.Locale.ROOT).contains("mariadb");
        return java.util.Arrays.compare(v, mariaDb ? new int[] {5, 3, 0} : new int[] {5, 6, 1}) >= 0;
    }

    /** One number of a version string; one too long for an int is larger than any real one. */
    private static int versionPart(String digits) {
        return digits.length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(digits);
    }

    /** The checksum algorithm of the events that follow (and of this FDE); NONE for servers without checksums. */
    public static ChecksumAlgorithm checksum(byte[] fde) {
        if (!hasChecksumField(fde)) {
            return ChecksumAlgorithm.NONE;
        }
        int alg = fde[fde.length - 5] & 0xFF;
        return switch (alg) {
            case 0 -> ChecksumAlgorithm.NONE;
            case 1 -> ChecksumAlgorithm.CRC32;
            default -> throw new BinlogFormatException("unknown checksum algorithm " + alg + " in format description");
        };
    }

    /**
     * A copy of {@code fde} announcing {@code alg}, with its trailing CRC recomputed. The FDE keeps its size:
     * the 5 trailing bytes are there whatever the algorithm.
     */
    public static byte[] withChecksum(byte[] fde, ChecksumAlgorithm alg) {
        check(fde);
        if (!hasChecksumField(fde)) {
            throw new BinlogFormatException("format description of " + serverVersion(fde) + " has no checksum field");
        }
        byte[] r = fde.clone();
        r[r.length - 5] = (byte) alg.code;
        Events.fixCrc(r);
        return r;
    }

    /**
     * The FDE as a server sends it at the start of a dump that begins after position 4: the in-use flag
     * cleared, log_pos 0 and the create timestamp 0 (so the replica does not treat it as a new file), CRC
     * recomputed.
     */
    public static byte[] asResent(byte[] fde) {
        check(fde);
        byte[] r = fde.clone();
        Events.setFlags(r, Events.flags(r) & ~Events.FLAG_BINLOG_IN_USE);
        Events.setLogPos(r, 0);
        Events.put32(r, OFFSET_CREATE_TS, 0);
        if (hasChecksumField(r)) {
            // the FDE of a checksum-aware server always ends with a CRC, even when the algorithm is NONE
            Events.fixCrc(r);
        }
        return r;
    }

    /** The FDE with its in-use flag cleared, as a server sends it (CRC unchanged: it never covers that flag). */
    public static byte[] withoutInUseFlag(byte[] fde) {
        if ((Events.flags(fde) & Events.FLAG_BINLOG_IN_USE) == 0) {
            return fde;
        }
        byte[] r = fde.clone();
        Events.setFlags(r, Events.flags(r) & ~Events.FLAG_BINLOG_IN_USE);
        return r;
    }
}
