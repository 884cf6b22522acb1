package dev.binlogrelay.server.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.shyiko.mysql.binlog.event.DeleteRowsEventData;
import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.EventData;
import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import com.github.shyiko.mysql.binlog.event.TableMapEventMetadata;
import com.github.shyiko.mysql.binlog.event.TransactionPayloadEventData;
import com.github.shyiko.mysql.binlog.event.UpdateRowsEventData;
import com.github.shyiko.mysql.binlog.event.WriteRowsEventData;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.ColumnType;
import com.github.shyiko.mysql.binlog.event.deserialization.json.JsonBinary;
import com.github.shyiko.mysql.binlog.event.deserialization.json.JsonFormatter;
import com.github.shyiko.mysql.binlog.event.deserialization.json.JsonStringFormatter;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.math.BigDecimal;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rows of a recorded binlog as mysql-binlog-connector-java (com.zendesk 0.30.1, not our decoder) decodes them,
 * each value written as Canal writes it (docs/canal.md, "Columns"): the independent expectation of
 * {@link CanalFixturesIT}. The connector gives typed values (integers as the signed Java type of their width, BitSet,
 * micros since the epoch, raw bytes of strings, binary JSON); the formatting rules here are Canal's printed rules,
 * applied to the connector's values with the TABLE_MAP's own metadata (signedness, charsets). A value the connector
 * cannot decode (a rows event of a type it does not know, e.g. MySQL 9's VECTOR) is {@link #UNKNOWN}; a partial JSON
 * update (which the connector does not decode) is {@link #PARTIAL_JSON}.
 */
final class ConnectorRows {
    static final String UNKNOWN = "\0unknown";
    static final String PARTIAL_JSON = "\0partial-json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One column of one image: its index in the table and its expected value (null for SQL NULL). */
    record Value(int index, String value) {
    }

    /** One rows event: its kind, table and rows (each row: before image, after image; null where absent). */
    record Rows(String kind, String table, List<List<List<Value>>> rows) {
    }

    private ConnectorRows() {
    }

    /** Every rows event of the file, in order (the ones inside a TRANSACTION_PAYLOAD where the payload is). */
    static List<Rows> of(byte[] file) throws IOException {
        EventDeserializer d = new EventDeserializer();
        d.setCompatibilityMode(EventDeserializer.CompatibilityMode.DATE_AND_TIME_AS_LONG_MICRO,
                EventDeserializer.CompatibilityMode.CHAR_AND_BINARY_AS_BYTE_ARRAY,
                EventDeserializer.CompatibilityMode.INVALID_DATE_AND_TIME_AS_MIN_VALUE);
        Map<Long, TableMapEventData> tables = new HashMap<>();
        List<Rows> out = new ArrayList<>();
        int off = 4;
        while (off + 19 <= file.length) {
            int size = (int) ((file[off + 9] & 0xFFL) | (file[off + 10] & 0xFFL) << 8 | (file[off + 11] & 0xFFL) << 16
                    | (file[off + 12] & 0xFFL) << 24);
            int type = file[off + 4] & 0xFF;
            Event e;
            try {
                e = d.nextEvent(new com.github.shyiko.mysql.binlog.io.ByteArrayInputStream(new ByteArrayInputStream(file, off, size)));
            } catch (IOException | RuntimeException ex) {
                e = null;
            }
            if ((e == null || type == 39) && isRows(type)) {
                out.add(new Rows(type == 39 ? "PARTIAL" : "UNDECODED", "", List.of()));
            } else if (e != null) {
                accept(e, tables, out);
            }
            off += size;
        }
        return out;
    }

    private static boolean isRows(int type) {
        return (type >= 23 && type <= 25) || (type >= 30 && type <= 32) || type == 39;
    }

    private static void accept(Event e, Map<Long, TableMapEventData> tables, List<Rows> out) {
        EventData data = e.getData();
        if (data instanceof TableMapEventData t) {
            tables.put(t.getTableId(), t);
        } else if (data instanceof TransactionPayloadEventData p) {
            for (Event inner : p.getUncompressedEvents()) {
                accept(inner, tables, out);
            }
        } else if (data instanceof WriteRowsEventData w) {
            TableMapEventData t = tables.get(w.getTableId());
            List<List<List<Value>>> rows = new ArrayList<>();
            for (Serializable[] r : w.getRows()) {
                rows.add(java.util.Arrays.asList(null, image(t, w.getIncludedColumns(), r)));
            }
            out.add(new Rows("INSERT", t.getTable(), rows));
        } else if (data instanceof DeleteRowsEventData del) {
            TableMapEventData t = tables.get(del.getTableId());
            List<List<List<Value>>> rows = new ArrayList<>();
            for (Serializable[] r : del.getRows()) {
                rows.add(java.util.Arrays.asList(image(t, del.getIncludedColumns(), r), null));
            }
            out.add(new Rows("DELETE", t.getTable(), rows));
        } else if (data instanceof UpdateRowsEventData u) {
            TableMapEventData t = tables.get(u.getTableId());
            List<List<List<Value>>> rows = new ArrayList<>();
            for (Map.Entry<Serializable[], Serializable[]> r : u.getRows()) {
                rows.add(List.of(image(t, u.getIncludedColumnsBeforeUpdate(), r.getKey()),
                        image(t, u.getIncludedColumns(), r.getValue())));
            }
            out.add(new Rows("UPDATE", t.getTable(), rows));
        }
    }

    private static List<Value> image(TableMapEventData t, BitSet included, Serializable[] values) {
        List<Value> out = new ArrayList<>();
        int k = 0;
        for (int i = included.nextSetBit(0); i >= 0; i = included.nextSetBit(i + 1)) {
            out.add(new Value(i, values[k] == null ? null : format(t, i, values[k])));
            k++;
        }
        return out;
    }

    /** The TABLE_MAP's UNSIGNED flag of column i (the connector spreads the signedness bits over the column indexes). */
    private static boolean unsigned(TableMapEventData t, int column) {
        TableMapEventMetadata m = t.getEventMetadata();
        return m != null && m.getSignedness() != null && m.getSignedness().get(column);
    }

    /** The collation of column i from the TABLE_MAP's charset metadata; -1 when the file has none. */
    private static int collation(TableMapEventData t, int column) {
        TableMapEventMetadata m = t.getEventMetadata();
        if (m == null) {
            return -1;
        }
        int charColumn = 0;
        for (int i = 0; i < column; i++) {
            if (isCharacter(t, i)) {
                charColumn++;
            }
        }
        if (m.getColumnCharsets() != null && !m.getColumnCharsets().isEmpty()) {
            return m.getColumnCharsets().get(charColumn);
        }
        if (m.getDefaultCharset() != null) {
            Map<Integer, Integer> per = m.getDefaultCharset().getCharsetCollations();
            Integer c = per == null ? null : per.get(charColumn);
            return c != null ? c : m.getDefaultCharset().getDefaultCharsetCollation();
        }
        return -1;
    }

    /** MySQL's "character column" of the charset metadata: CHAR/VARCHAR/TEXT/BLOB, not ENUM/SET/JSON/GEOMETRY. */
    private static boolean isCharacter(TableMapEventData t, int i) {
        int type = t.getColumnTypes()[i] & 0xFF;
        int meta = t.getColumnMetadata()[i];
        if (type == 254) {
            int real = meta >> 8;
            return real != 247 && real != 248;
        }
        return type == 15 || type == 253 || type == 252;
    }

    private static Charset charset(int collation) {
        return collation == 63 || collation < 0 ? StandardCharsets.ISO_8859_1
                : latin1(collation) ? Charset.forName("windows-1252") : StandardCharsets.UTF_8;
    }

    private static boolean latin1(int c) {
        return c == 5 || c == 8 || c == 15 || c == 31 || c == 47 || c == 48 || c == 49 || c == 94;
    }

    static String format(TableMapEventData t, int i, Serializable v) {
        if (v instanceof String s) {
            return s; // inside a TRANSACTION_PAYLOAD the connector decodes with its default modes: text as String
        }
        int type = t.getColumnTypes()[i] & 0xFF;
        int meta = t.getColumnMetadata()[i];
        boolean u = unsigned(t, i);
        return switch (type) {
            case 1 -> Integer.toString(u ? ((Number) v).intValue() & 0xFF : (byte) ((Number) v).intValue());
            case 2 -> Integer.toString(u ? ((Number) v).intValue() & 0xFFFF : (short) ((Number) v).intValue());
            case 9 -> Integer.toString(u ? ((Number) v).intValue() & 0xFFFFFF : ((Number) v).intValue() << 8 >> 8);
            case 3 -> u ? Long.toString(((Number) v).intValue() & 0xFFFFFFFFL) : Integer.toString(((Number) v).intValue());
            case 8 -> u ? Long.toUnsignedString(((Number) v).longValue()) : Long.toString(((Number) v).longValue());
            case 4 -> Float.toString((Float) v);
            case 5 -> Double.toString((Double) v);
            case 246 -> ((BigDecimal) v).toPlainString();
            case 16 -> {
                long[] words = ((BitSet) v).toLongArray();
                yield Long.toUnsignedString(words.length == 0 ? 0 : words[0]);
            }
            case 13 -> ((Number) v).intValue() <= 1900 ? "0000" : Integer.toString(((Number) v).intValue());
            case 10 -> day((Long) v);
            case 19, 11 -> time((Long) v, type == 19 ? meta : 0);
            case 18, 12 -> dateTime((Long) v, type == 18 ? meta : 0, ZoneOffset.UTC);
            case 17, 7 -> (Long) v == 0 ? "0000-00-00 00:00:00" + fraction(0, type == 17 ? meta : 0)
                    : dateTime((Long) v, type == 17 ? meta : 0, ZoneId.systemDefault());
            case 254 -> switch (meta >> 8) {
                case 247, 248 -> v.toString(); // ENUM index, SET bits
                default -> new String((byte[]) v, charset(collation(t, i)));
            };
            case 15, 253 -> new String((byte[]) v, t.getEventMetadata() == null ? StandardCharsets.UTF_8
                    : charset(collation(t, i)));
            case 252 -> new String((byte[]) v, charset(collation(t, i)));
            case 255 -> new String((byte[]) v, StandardCharsets.ISO_8859_1);
            case 245 -> json((byte[]) v);
            default -> UNKNOWN;
        };
    }

    private static String json(byte[] v) {
        try {
            JsonStringFormatter text = new JsonStringFormatter();
            JsonBinary.parse(v, (JsonFormatter) java.lang.reflect.Proxy.newProxyInstance(
                    ConnectorRows.class.getClassLoader(), new Class<?>[] {JsonFormatter.class}, (proxy, method, args) -> {
                        if (method.getName().equals("valueOpaque")) {
                            // MySQL prints an opaque value as "base64:type<field type>:<base64>" (json_dom.cc);
                            // the connector prints the base64 alone
                            text.value("base64:type" + ((ColumnType) args[0]).getCode() + ":"
                                    + java.util.Base64.getEncoder().encodeToString((byte[]) args[1]));
                            return null;
                        }
                        if (method.getName().equals("valueDatetime")) {
                            // MySQL prints DATETIME and TIME in JSON with 6 fraction digits (json_dom.cc); the
                            // connector leaves a zero fraction out
                            Object[] p = args;
                            text.value(String.format("%04d-%02d-%02d %02d:%02d:%02d.%06d", p[0], p[1], p[2], p[3], p[4], p[5], p[6]));
                            return null;
                        }
                        if (method.getName().equals("valueTime")) {
                            text.value(String.format("%02d:%02d:%02d.%06d", args[0], args[1], args[2], args[3]));
                            return null;
                        }
                        return method.invoke(text, args);
                    }));
            return JSON.readTree(text.getString()).toString();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A JSON text normalized as {@link #json} normalizes the connector's: the same document, the same string. */
    static String normalizeJson(String text) {
        try {
            return JSON.readTree(text).toString();
        } catch (IOException e) {
            return "not JSON: " + text;
        }
    }

    private static String day(long micros) {
        if (micros == Long.MIN_VALUE) {
            return "0000-00-00";
        }
        return LocalDateTime.ofInstant(Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L)), ZoneOffset.UTC)
                .toLocalDate().toString();
    }

    private static String dateTime(long micros, int fsp, ZoneId zone) {
        if (micros == Long.MIN_VALUE) {
            return "0000-00-00 00:00:00" + fraction(0, fsp);
        }
        LocalDateTime t = LocalDateTime.ofInstant(Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L)), zone);
        return t.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")) + fraction(Math.floorMod(micros, 1_000_000L), fsp);
    }

    private static String time(long micros, int fsp) {
        String sign = micros < 0 ? "-" : "";
        long abs = Math.abs(micros);
        long s = abs / 1_000_000L;
        return sign + String.format("%02d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) + fraction(abs % 1_000_000L, fsp);
    }

    private static String fraction(long micros, int fsp) {
        if (fsp == 0) {
            return "";
        }
        return "." + String.format("%06d", micros).substring(0, fsp);
    }
}
