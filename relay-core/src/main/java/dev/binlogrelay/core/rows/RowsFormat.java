package dev.binlogrelay.core.rows;

import dev.binlogrelay.core.binlog.BinlogFormatException;
import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.core.binlog.FormatDescription;

import java.util.Locale;

/**
 * What row decoding needs to know about the binlog an event comes from, read once from its format description:
 * whether events end with a CRC32, which server wrote them (MariaDB counts YEAR columns in TABLE_MAP's signedness
 * metadata, MySQL does not: the one place the two differ for this package), and the limits on what decoding may
 * allocate beyond the event itself (decompressed transactions and MariaDB compressed rows).
 *
 * @param checksumSize     4 when events end with a CRC32, else 0
 * @param server           who wrote the binlog
 * @param maxInflatedBytes the most bytes a TRANSACTION_PAYLOAD or a MariaDB compressed rows event may inflate to
 *                         (MySQL's own bound is max_allowed_packet, at most 1 GiB)
 */
public record RowsFormat(int checksumSize, Server server, int maxInflatedBytes) {
    /** Default bound on an inflated payload: 64 MiB (MySQL's default max_allowed_packet). */
    public static final int DEFAULT_MAX_INFLATED = 64 << 20;

    /** Which server family wrote the binlog. */
    public enum Server { MYSQL, MARIADB }

    public RowsFormat {
        if (checksumSize != 0 && checksumSize != Events.CRC_SIZE) {
            throw new IllegalArgumentException("checksum size " + checksumSize);
        }
        if (maxInflatedBytes < 0) {
            throw new IllegalArgumentException("maxInflatedBytes " + maxInflatedBytes);
        }
    }

    /** The format of the events following {@code fde}, with the default inflation bound. */
    public static RowsFormat of(byte[] fde) {
        return of(fde, DEFAULT_MAX_INFLATED);
    }

    public static RowsFormat of(byte[] fde, int maxInflatedBytes) {
        FormatDescription.check(fde);
        ChecksumAlgorithm alg = FormatDescription.checksum(fde);
        String version = FormatDescription.serverVersion(fde).toLowerCase(Locale.ROOT);
        return new RowsFormat(alg == ChecksumAlgorithm.CRC32 ? Events.CRC_SIZE : 0,
                version.contains("mariadb") ? Server.MARIADB : Server.MYSQL, maxInflatedBytes);
    }

    /** The end of an event's body (before its CRC, if any), after checking its header's size field. */
    int bodyEnd(byte[] event) {
        if (event.length < Events.HEADER_SIZE + checksumSize) {
            throw new BinlogFormatException("event of " + event.length + " bytes is shorter than its header");
        }
        if (Events.size(event) != event.length) {
            throw new BinlogFormatException("event_size " + Events.size(event) + " but the event holds "
                    + event.length + " bytes");
        }
        return event.length - checksumSize;
    }

    /** Whether a column of this TABLE_MAP type counts in the SIGNEDNESS metadata. */
    boolean hasSignedness(int type) {
        return switch (type) {
            case ColumnType.TINY, ColumnType.SHORT, ColumnType.INT24, ColumnType.LONG, ColumnType.LONGLONG,
                    ColumnType.NEWDECIMAL, ColumnType.DECIMAL, ColumnType.FLOAT, ColumnType.DOUBLE -> true;
            // MariaDB's Field_year is a Field_tiny, so it has a signedness bit; MySQL's YEAR has none
            case ColumnType.YEAR -> server == Server.MARIADB;
            default -> false;
        };
    }
}
