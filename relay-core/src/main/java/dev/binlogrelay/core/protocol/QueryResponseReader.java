package dev.binlogrelay.core.protocol;

import io.netty.buffer.ByteBuf;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the response to a COM_QUERY, one packet at a time: an OK, an ERR, or a whole text result set
 * (CLIENT_DEPRECATE_EOF not negotiated). Feed packets with {@link #accept} until it returns true.
 */
public final class QueryResponseReader {
    private enum State { FIRST, COLUMNS, ROWS, DONE }

    private State state = State.FIRST;
    private int columnCount;
    private final List<String> columns = new ArrayList<>();
    private final List<List<String>> rows = new ArrayList<>();
    private OkPacket ok;
    private ErrPacket err;

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
                } else {
                    rows.add(TextResultSet.decodeRow(packet, columnCount));
                }
            }
            case DONE -> throw new ProtocolException("packet after the end of a query response");
        }
        return state == State.DONE;
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
