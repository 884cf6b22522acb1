package dev.binlogrelay.core.binlog;

/** The binlog checksum algorithm, with the code the format description event carries. */
public enum ChecksumAlgorithm {
    NONE(0), CRC32(1);

    public final int code;

    ChecksumAlgorithm(int code) {
        this.code = code;
    }

    public int trailerSize() {
        return this == CRC32 ? Events.CRC_SIZE : 0;
    }

    /** From a session variable value such as 'CRC32', 'NONE' or '' (unset). */
    public static ChecksumAlgorithm fromName(String name) {
        if (name == null) {
            return NONE;
        }
        return switch (name.trim().toUpperCase(java.util.Locale.ROOT)) {
            case "CRC32" -> CRC32;
            case "NONE", "OFF", "", "0" -> NONE;
            default -> throw new IllegalArgumentException("unknown binlog checksum algorithm '" + name + "'");
        };
    }
}
