package dev.binlogrelay.core.protocol;

import io.netty.buffer.ByteBuf;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the response to a COM_QUERY, one packet at a time: an OK, an ERR, or a whole text result set
 * (CLIENT_DEPRECATE_EOF not negotiated). Feed packets with {@link #accept} until it returns true.
 *
 * <p>What it keeps of the rows can be bounded (a count and the bytes of the row packets): rows past either bound
 * are read and dropped, and {@link #truncated} says so; the response still ends normally.
 */
public final class QueryResponseReader {
    private enum State { FIRST, COLUMNS, ROWS, DONE }

    private State state = State.FIRST;
    private int columnCount;
    private final List<String> columns = new ArrayList<>();
    private final List<List<String>> rows = new ArrayList<>();
    private OkPacket ok;
    private ErrPacket err;
    private final int maxRows;
    private final long maxRowBytes;
    private long rowBytes;
    private boolean truncated;

    /** Keeps every row. */
    public QueryResponseReader() {
        this(Integer.MAX_VALUE, Long.MAX_VALUE);
    }

    /** Keeps at most {@code maxRows} rows whose packets hold at most {@code maxRowBytes} bytes together. */
    public QueryResponseReader(int maxRows, long maxRowBytes) {
        if (maxRows < 0 || maxRowBytes < 0) {
            throw new IllegalArgumentException("negative bounds: " + maxRows + " rows, " + maxRowBytes + " bytes");
        }
        this.maxRows = maxRows;
        this.maxRowBytes = maxRowBytes;
    }

    /** Consumes one packet (does not release it); true when the response is complete. */
    public boolean accept(ByteBuf packet) {
        switch (state) {
            case FIRST -> {
                if (ErrPacket.is(packet)) {
                    err = ErrPacket.decode(packet);
                    state = State.DONE;
                } else if (OkPacket.is(packet) && packet.getUnsignedByte(packet.readerIndex()) == OkPacket.HEADER) {
                    ok = OkPacket.decode(packet);
                    state = State.DONE;
                } else {
                    long n = Wire.readLenencInt(packet);
                    if (n <= 0 || n > 4096) {
                        throw new ProtocolException("result set with " + n + " columns");
                    }
                    columnCount = (int) n;
                    state = State.COLUMNS;
                }
            }
            case COLUMNS -> {
                if (EofPacket.is(packet)) {
                    if (columns.size() != columnCount) {
                        throw new ProtocolException("result set announced " + columnCount + " columns but sent " + columns.size());
                    }
                    state = State.ROWS;
                } else {
                    columns.add(TextResultSet.decodeColumnName(packet));
                }
            }
            case ROWS -> {
                if (EofPacket.is(packet)) {
                    state = State.DONE;
                } else if (ErrPacket.is(packet)) {
                    err = ErrPacket.decode(packet);
                    state = State.DONE;
                } else if (!truncated && rows.size() < maxRows && rowBytes + packet.readableBytes() <= maxRowBytes) {
                    rowBytes += packet.readableBytes();
                    rows.add(TextResultSet.decodeRow(packet, columnCount));
                } else {
                    truncated = true;
                }
            }
            case DONE -> throw new ProtocolException("packet after the end of a query response");
        }
        return state == State.DONE;
    }

    /** True if rows were dropped for the bounds given at construction. */
    public boolean truncated() {
        return truncated;
    }

    public boolean isError() {
        return err != null;
    }

    public ErrPacket error() {
        return err;
    }

    public OkPacket ok() {
        return ok;
    }

    public TextResultSet resultSet() {
        return new TextResultSet(columns, rows);
    }
}
