package dev.binlogrelay.server.it;

import com.alibaba.otter.canal.instance.manager.CanalInstanceWithManager;
import com.alibaba.otter.canal.instance.manager.model.Canal;
import com.alibaba.otter.canal.instance.manager.model.CanalParameter;
import com.alibaba.otter.canal.protocol.CanalEntry;
import com.alibaba.otter.canal.protocol.ClientIdentity;
import com.alibaba.otter.canal.protocol.Message;
import com.alibaba.otter.canal.server.embedded.CanalServerWithEmbedded;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.binlogrelay.testkit.MariaDbServer;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real Canal server (com.alibaba.otter:canal.server 1.1.7), embedded in the test's JVM the way Canal's own tests
 * run it: {@link CanalServerWithEmbedded} with a programmatic instance ({@link CanalInstanceWithManager}, memory
 * store and meta, no table-meta history, no heartbeat SQL), reading a live primary from a given binlog position as
 * user canal/canal. Entries are taken with getWithoutAck and acked at once.
 */
final class CanalOracle implements AutoCloseable {
    static final String DESTINATION = "oracle";
    static final String USER = "canal";
    static final String PASSWORD = "canal";

    private final CanalServerWithEmbedded server;
    private final ClientIdentity client;
    private final List<CanalEntry.Entry> entries = new ArrayList<>();

    private CanalOracle(CanalServerWithEmbedded server, String destination) {
        this.server = server;
        this.client = new ClientIdentity(destination, (short) 1001);
    }

    /** Creates Canal's user on {@code primary}. */
    static void createUser(MariaDbServer primary) {
        primary.execute("CREATE USER '" + USER + "'@'%' IDENTIFIED BY '" + PASSWORD + "'",
                "GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT, BINLOG MONITOR ON *.* TO '"
                        + USER + "'@'%'");
    }

    /** Starts Canal reading {@code primary} from (file, position). */
    static CanalOracle start(MariaDbServer primary, String file, long position) {
        return start(primary, DESTINATION, 4321L, file, position);
    }

    /**
     * Starts a Canal server of its own (not the JVM's shared {@link CanalServerWithEmbedded#instance()}), so that
     * several can read the same primary at once: each needs its own {@code destination} and replica
     * {@code slaveId} (the primary ends a dump when another with the same server id starts).
     */
    static CanalOracle start(MariaDbServer primary, String destination, long slaveId, String file, long position) {
        Canal canal = instance(primary, destination, slaveId, file, position, CanalParameter.BatchMode.MEMSIZE);
        CanalServerWithEmbedded server = new CanalServerWithEmbedded();
        server.setCanalInstanceGenerator(d -> new CanalInstanceWithManager(canal, ".*\\..*"));
        server.start();
        server.start(destination);
        CanalOracle o = new CanalOracle(server, destination);
        server.subscribe(o.client);
        return o;
    }

    /**
     * The definition of a Canal instance reading {@code primary} from (file, position) as replica {@code slaveId}:
     * memory store (of {@code batchMode}: MEMSIZE counts a get's batch size in KiB, ITEMSIZE in entries), memory
     * meta and index, no tsdb, no heartbeat SQL.
     */
    static Canal instance(MariaDbServer primary, String destination, long slaveId, String file, long position,
                          CanalParameter.BatchMode batchMode) {
        Canal canal = new Canal();
        canal.setId(slaveId);
        canal.setName(destination);
        CanalParameter p = new CanalParameter();
        p.setMetaMode(CanalParameter.MetaMode.MEMORY);
        p.setHaMode(CanalParameter.HAMode.HEARTBEAT);
        p.setIndexMode(CanalParameter.IndexMode.MEMORY);
        p.setStorageMode(CanalParameter.StorageMode.MEMORY);
        p.setStorageBatchMode(batchMode);
        p.setMemoryStorageBufferSize(16 * 1024);
        p.setSourcingType(CanalParameter.SourcingType.MYSQL);
        p.setDbAddresses(List.of(new InetSocketAddress(primary.host(), primary.port())));
        p.setDbUsername(USER);
        p.setDbPassword(PASSWORD);
        p.setPositions(List.of("{\"journalName\":\"" + file + "\",\"position\":" + position + "}"));
        p.setSlaveId(slaveId);
        p.setDefaultConnectionTimeoutInSeconds(30);
        p.setConnectionCharset("UTF-8");
        p.setConnectionCharsetNumber((byte) 33);
        p.setDetectingEnable(false);
        p.setTsdbEnable(false);
        canal.setCanalParameter(p);
        return canal;
    }

    /** Every entry Canal has given so far. */
    List<CanalEntry.Entry> entries() {
        return entries;
    }

    /** Takes entries (bounded wait) until one ends at or past (file, end). */
    void awaitThrough(String file, long end, Duration timeout) throws InvalidProtocolBufferException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!reached(file, end)) {
            if (System.nanoTime() > deadline) {
                fail("Canal did not deliver entries up to " + file + ":" + end + " within " + timeout + "; it gave "
                        + entries.size() + (entries.isEmpty() ? "" : ", the last at "
                        + entries.get(entries.size() - 1).getHeader().getLogfileOffset()));
            }
            Message m = server.getWithoutAck(client, 1000, 200L, TimeUnit.MILLISECONDS);
            if (m.isRaw()) {
                for (ByteString raw : m.getRawEntries()) {
                    entries.add(CanalEntry.Entry.parseFrom(raw));
                }
            } else {
                entries.addAll(m.getEntries());
            }
            if (m.getId() != -1) {
                server.ack(client, m.getId());
            }
        }
    }

    private boolean reached(String file, long end) {
        for (int i = entries.size() - 1; i >= 0; i--) {
            CanalEntry.Header h = entries.get(i).getHeader();
            if (h.getLogfileName().equals(file) && h.getLogfileOffset() + h.getEventLength() >= end) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        try {
            server.unsubscribe(client);
        } finally {
            server.stop();
        }
    }
}
