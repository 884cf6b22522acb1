package dev.binlogrelay.core.rows;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdException;
import dev.binlogrelay.core.binlog.BinlogFormatException;
import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * MySQL 8.0.20+'s TRANSACTION_PAYLOAD (type 40): a whole transaction's events, compressed
 * ({@code binlog_transaction_compression=ON}).
 * <pre>
 * header (19)
 * fields, each: type (packed) | [not 0: length (packed) | value (packed)]
 *   0 end of fields, 1 payload size, 2 compression type (0 = zstd, 255 = none), 3 uncompressed size
 * payload (payload size bytes, to the end of the body)
 * [CRC32 (4)]
 * </pre>
 * The payload inflates to events one after another, each with its own header; they carry no CRC (the payload
 * event's own covers them). Inflating is bounded by {@link RowsFormat#maxInflatedBytes()}: the announced size
 * must be within it and the data must inflate to exactly that size.
 */
public final class TransactionPayload {
    public static final int COMPRESSION_ZSTD = 0;
    public static final int COMPRESSION_NONE = 255;

    private TransactionPayload() {
    }

    /** The events inside a TRANSACTION_PAYLOAD event, without CRCs. */
    public static List<byte[]> events(byte[] event, RowsFormat format) {
        int end = format.bodyEnd(event);
        if (Events.type(event) != EventType.TRANSACTION_PAYLOAD) {
            throw new BinlogFormatException("not a TRANSACTION_PAYLOAD event: " + EventType.name(Events.type(event)));
        }
        ByteCursor c = new ByteCursor(event, Events.HEADER_SIZE, end);
        long compression = -1;
        long payloadSize = -1;
        long uncompressedSize = -1;
        while (c.hasRemaining()) {
            long type = c.packed("TRANSACTION_PAYLOAD field type");
            if (type == 0) {
                break;
            }
            ByteCursor v = c.slice(c.packed("TRANSACTION_PAYLOAD field length"), "TRANSACTION_PAYLOAD field");
            switch ((int) Math.min(type, 4)) {
                case 1 -> payloadSize = v.packed("TRANSACTION_PAYLOAD payload size");
                case 2 -> compression = v.packed("TRANSACTION_PAYLOAD compression type");
                case 3 -> uncompressedSize = v.packed("TRANSACTION_PAYLOAD uncompressed size");
                default -> v.skip(v.remaining(), "TRANSACTION_PAYLOAD field " + type);
            }
        }
        if (payloadSize != c.remaining()) {
            throw new BinlogFormatException("TRANSACTION_PAYLOAD announces a payload of " + payloadSize + " bytes, "
                    + c.remaining() + " follow");
        }
        byte[] inflated;
        if (compression == COMPRESSION_NONE) {
            inflated = c.bytes(payloadSize, "TRANSACTION_PAYLOAD payload");
        } else if (compression == COMPRESSION_ZSTD) {
            inflated = zstd(event, c.position(), (int) payloadSize, uncompressedSize, format.maxInflatedBytes());
        } else {
            throw new BinlogFormatException("TRANSACTION_PAYLOAD with unknown compression type " + compression);
        }
        return split(inflated);
    }

    private static byte[] zstd(byte[] src, int off, int len, long size, int max) {
        if (size < 0 || size > max) {
            throw new BinlogFormatException("TRANSACTION_PAYLOAD announces " + size + " bytes uncompressed, the bound"
                    + " is " + max);
        }
        byte[] out = new byte[(int) size];
        long got;
        try {
            got = Zstd.decompressByteArray(out, 0, out.length, src, off, len);
        } catch (ZstdException e) {
            throw new BinlogFormatException("TRANSACTION_PAYLOAD: bad zstd data (" + e.getMessage() + ")");
        }
        if (Zstd.isError(got)) {
            throw new BinlogFormatException("TRANSACTION_PAYLOAD: bad zstd data (" + Zstd.getErrorName(got) + ")");
        }
        if (got != size) {
            throw new BinlogFormatException("TRANSACTION_PAYLOAD inflates to " + got + " bytes, " + size
                    + " announced");
        }
        return out;
    }

    private static List<byte[]> split(byte[] payload) {
        List<byte[]> events = new ArrayList<>();
        int off = 0;
        while (off < payload.length) {
            if (payload.length - off < Events.HEADER_SIZE) {
                throw new BinlogFormatException("TRANSACTION_PAYLOAD: " + (payload.length - off)
                        + " bytes left, too few for an event header");
            }
            long size = Events.u32(payload, off + Events.OFFSET_SIZE);
            if (size < Events.HEADER_SIZE || size > payload.length - off) {
                throw new BinlogFormatException("TRANSACTION_PAYLOAD: inner event at " + off + " of size " + size
                        + " does not fit the " + (payload.length - off) + " bytes left");
            }
            events.add(Arrays.copyOfRange(payload, off, off + (int) size));
            off += (int) size;
        }
        return events;
    }
}
