package dev.binlogrelay.server.canal;

import com.alibaba.otter.canal.protocol.CanalPacket;
import dev.binlogrelay.storage.BinlogStore;
import dev.binlogrelay.storage.StoreOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Canal server on a loopback socket: a connection over canal.max_connections gets error 400 and is closed. */
class CanalServerTest {
    @TempDir
    Path dir;

    private static CanalPacket.Packet read(DataInputStream in) throws Exception {
        byte[] body = new byte[in.readInt()];
        in.readFully(body);
        return CanalPacket.Packet.parseFrom(body);
    }

    @Test
    void aConnectionOverTheLimitIsRefusedWithAnError() throws Exception {
        var dest = new CanalSettings.Destination("example", CanalFilter.ALL, false);
        CanalSettings settings = new CanalSettings("127.0.0.1", 0, Map.of("example", dest), Map.of(), Duration.ofDays(7),
                1 << 20, 2);
        try (BinlogStore store = BinlogStore.open(dir, StoreOptions.defaults());
             CanalServer server = new CanalServer(store.readView(), store.canalCursors(), settings)) {
            InetSocketAddress at = server.bind();
            try (Socket a = new Socket(at.getAddress(), at.getPort()); Socket b = new Socket(at.getAddress(), at.getPort())) {
                a.setSoTimeout(5000);
                b.setSoTimeout(5000);
                assertEquals(CanalPacket.PacketType.HANDSHAKE, read(new DataInputStream(a.getInputStream())).getType());
                assertEquals(CanalPacket.PacketType.HANDSHAKE, read(new DataInputStream(b.getInputStream())).getType());
                try (Socket c = new Socket(at.getAddress(), at.getPort())) {
                    c.setSoTimeout(5000);
                    DataInputStream in = new DataInputStream(c.getInputStream());
                    CanalPacket.Packet p = read(in);
                    assertEquals(CanalPacket.PacketType.ACK, p.getType());
                    CanalPacket.Ack ack = CanalPacket.Ack.parseFrom(p.getBody());
                    assertEquals(400, ack.getErrorCode());
                    assertTrue(ack.getErrorMessage().contains("at most 2 Canal clients"), ack.getErrorMessage());
                    assertEquals(-1, in.read(), "closed");
                }
            }
            // the two closed: a new connection is served again (once the server has seen them close)
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (firstPacket(at) != CanalPacket.PacketType.HANDSHAKE) {
                assertTrue(System.nanoTime() < deadline, "still refused 5 s after the others closed");
            }
        }
    }

    private static CanalPacket.PacketType firstPacket(InetSocketAddress at) throws Exception {
        try (Socket s = new Socket(at.getAddress(), at.getPort())) {
            s.setSoTimeout(5000);
            return read(new DataInputStream(s.getInputStream())).getType();
        }
    }
}
