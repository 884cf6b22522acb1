package dev.binlogrelay.server.testsupport;

import com.github.shyiko.mysql.binlog.event.ByteArrayEventData;
import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.EventData;
import com.github.shyiko.mysql.binlog.event.EventHeaderV4;
import com.github.shyiko.mysql.binlog.event.EventType;
import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import com.github.shyiko.mysql.binlog.event.deserialization.ByteArrayEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDeserializer;
import com.github.shyiko.mysql.binlog.io.ByteArrayInputStream;

import java.io.IOException;
import java.util.HexFormat;
import java.util.Set;

/**
 * mysql-binlog-connector-java set up to hand over each event's body as raw bytes (only the events it needs
 * to follow the stream are parsed: format description, rotate, transaction payload), so a test can compare
 * what a reader received byte for byte — including event types this connector version cannot parse.
 */
public final class RawEvents {
    private static final Set<EventType> PARSED = Set.of(EventType.FORMAT_DESCRIPTION, EventType.ROTATE,
            EventType.TRANSACTION_PAYLOAD, EventType.GTID);

    private RawEvents() {
    }

    public static EventDeserializer deserializer() {
        EventDeserializer d = new EventDeserializer();
        for (EventType t : EventType.values()) {
            if (t == EventType.TABLE_MAP) {
                d.setEventDataDeserializer(t, new RawTableMapDeserializer());
            } else if (!PARSED.contains(t)) {
                d.setEventDataDeserializer(t, new ByteArrayEventDataDeserializer());
            }
        }
        return d;
    }

    /** "TYPE@nextPosition body" with the body as hex where it is raw. */
    public static String describe(Event e) {
        EventHeaderV4 h = e.getHeader();
        EventData data = e.getData();
        String body;
        if (data instanceof ByteArrayEventData raw) {
            body = HexFormat.of().formatHex(raw.getData());
        } else if (data instanceof RawTableMap map) {
            body = HexFormat.of().formatHex(map.raw);
        } else {
            body = data == null ? "" : data.toString();
        }
        return h.getEventType() + "@" + h.getNextPosition() + " " + body;
    }

    /** A table map kept raw; the table id is still parsed because the connector files table maps by it. */
    static final class RawTableMap extends TableMapEventData {
        final byte[] raw;

        RawTableMap(byte[] raw) {
            this.raw = raw;
            long id = 0;
            for (int i = 5; i >= 0; i--) {
                id = id << 8 | (raw[i] & 0xFF);
            }
            setTableId(id);
        }
    }

    static final class RawTableMapDeserializer implements EventDataDeserializer<TableMapEventData> {
        @Override
        public TableMapEventData deserialize(ByteArrayInputStream in) throws IOException {
            return new RawTableMap(in.read(in.available()));
        }
    }
}
