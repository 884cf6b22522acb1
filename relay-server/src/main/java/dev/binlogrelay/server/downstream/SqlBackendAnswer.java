package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.protocol.EofPacket;
import dev.binlogrelay.core.protocol.ErrPacket;
import dev.binlogrelay.core.protocol.OkPacket;
import dev.binlogrelay.core.protocol.Wire;
import io.netty.buffer.ByteBuf;

/**
 * Where the SQL backend's answer to one COM_QUERY ends, read packet by packet without holding any (the backend
 * connection asks for neither CLIENT_DEPRECATE_EOF nor CLIENT_MULTI_STATEMENTS, see {@link SqlBackendLogin}).
 *
 * <pre>
 * answer    = OK | ERR | resultset
 * resultset = column count (lenenc) | column definition * count | EOF | row * | (EOF | ERR)
 * an OK or a final EOF with SERVER_MORE_RESULTS_EXISTS (0x0008) is followed by another answer (CALL)
 * </pre>
 */
final class SqlBackendAnswer {
    private static final int SERVER_MORE_RESULTS_EXISTS = 0x0008;

    private enum Part { FIRST, COLUMNS, ROWS }

    private Part part = Part.FIRST;
    private long columnsLeft;

    /** True if {@code packet}, the next packet of the answer, is its last one; reads without moving its indexes. */
    boolean ends(ByteBuf packet) {
        int first = packet.isReadable() ? packet.getUnsignedByte(packet.readerIndex()) : -1;
        switch (part) {
            case FIRST -> {
                if (first == OkPacket.HEADER) {
                    return (OkPacket.decode(packet.duplicate()).status() & SERVER_MORE_RESULTS_EXISTS) == 0;
                }
                if (first == ErrPacket.HEADER) {
                    return true;
                }
                columnsLeft = Wire.readLenencInt(packet.duplicate());
                part = Part.COLUMNS;
                return false;
            }
            case COLUMNS -> {
                if (columnsLeft-- == 0) { // the EOF after the column definitions
                    part = Part.ROWS;
                }
                return false;
            }
            case ROWS -> {
                if (first == ErrPacket.HEADER) {
                    return true;
                }
                if (EofPacket.is(packet)) {
                    if ((EofPacket.decode(packet.duplicate()).status() & SERVER_MORE_RESULTS_EXISTS) != 0) {
                        part = Part.FIRST;
                        return false;
                    }
                    return true;
                }
                return false;
            }
        }
        throw new IllegalStateException(String.valueOf(part));
    }
}
