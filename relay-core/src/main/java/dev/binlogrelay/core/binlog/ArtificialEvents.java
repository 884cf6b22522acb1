package dev.binlogrelay.core.binlog;

import java.nio.charset.StandardCharsets;

/**
 * Events the relay makes up for a reader's stream, each built for the reader's checksum algorithm.
 *
 * <pre>
 * ROTATE (4):    header | position (8) | next file name (rest)        fake: timestamp 0, log_pos 0, ARTIFICIAL
 * HEARTBEAT (27): header | current file name (rest)                    timestamp 0, log_pos = current offset
 * GTID_LIST (163): header | count (4, low 28 bits) | count x (domain (4) | server (4) | sequence (8))
 * </pre>
 */
public final class ArtificialEvents {
    private ArtificialEvents() {
    }

    /** The rotate a server sends first in a dump, naming the file and offset the stream starts at. */
    public static byte[] fakeRotate(long serverId, String file, long position, ChecksumAlgorithm alg) {
        byte[] name = file.getBytes(StandardCharsets.UTF_8);
        byte[] e = new byte[Events.HEADER_SIZE + 8 + name.length + alg.trailerSize()];
        Events.writeHeader(e, 0, EventType.ROTATE, serverId, 0, Events.FLAG_ARTIFICIAL);
        Events.put64(e, Events.HEADER_SIZE, position);
        System.arraycopy(name, 0, e, Events.HEADER_SIZE + 8, name.length);
        return finish(e, alg);
    }

    public static byte[] heartbeat(long serverId, String file, long position, ChecksumAlgorithm alg) {
        byte[] name = file.getBytes(StandardCharsets.UTF_8);
        byte[] e = new byte[Events.HEADER_SIZE + name.length + alg.trailerSize()];
        Events.writeHeader(e, 0, EventType.HEARTBEAT, serverId, position, 0);
        System.arraycopy(name, 0, e, Events.HEADER_SIZE, name.length);
        return finish(e, alg);
    }

    /** MariaDB's fake GTID_LIST, sent after the FDE to a GTID reader so it learns its position. */
    public static byte[] fakeGtidList(long serverId, java.util.Collection<dev.binlogrelay.core.gtid.MariaGtid> gtids,
                                      long logPos, ChecksumAlgorithm alg) {
        byte[] e = new byte[Events.HEADER_SIZE + 4 + 16 * gtids.size() + alg.trailerSize()];
        Events.writeHeader(e, 0, EventType.MARIA_GTID_LIST, serverId, logPos, Events.FLAG_ARTIFICIAL);
        int off = Events.HEADER_SIZE;
        Events.put32(e, off, gtids.size());
        off += 4;
        for (var g : gtids) {
            Events.put32(e, off, g.domainId());
            Events.put32(e, off + 4, g.serverId());
            Events.put64(e, off + 8, g.sequence());
            off += 16;
        }
        return finish(e, alg);
    }

    private static byte[] finish(byte[] e, ChecksumAlgorithm alg) {
        if (alg == ChecksumAlgorithm.CRC32) {
            Events.fixCrc(e);
        }
        return e;
    }

    /** The position and file name of a rotate event (body without checksum). */
    public static RotateTarget parseRotate(byte[] e, ChecksumAlgorithm alg) {
        int bodyEnd = e.length - alg.trailerSize();
        if (bodyEnd < Events.HEADER_SIZE + 8) {
            throw new BinlogFormatException("rotate event of " + e.length + " bytes is too short");
        }
        long pos = Events.u64(e, Events.HEADER_SIZE);
        String name = new String(e, Events.HEADER_SIZE + 8, bodyEnd - Events.HEADER_SIZE - 8, StandardCharsets.UTF_8);
        return new RotateTarget(name, pos);
    }

    public record RotateTarget(String file, long position) {
    }
}
