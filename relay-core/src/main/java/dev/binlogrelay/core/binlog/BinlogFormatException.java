package dev.binlogrelay.core.binlog;

/** A binlog event or file that does not follow the binlog format (bad size, bad CRC, truncated body). */
public class BinlogFormatException extends RuntimeException {
    public BinlogFormatException(String message) {
        super(message);
    }
}
