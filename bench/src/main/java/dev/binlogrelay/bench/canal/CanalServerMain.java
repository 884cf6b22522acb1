package dev.binlogrelay.bench.canal;

import com.alibaba.otter.canal.instance.manager.CanalInstanceWithManager;
import com.alibaba.otter.canal.instance.manager.model.Canal;
import com.alibaba.otter.canal.instance.manager.model.CanalParameter;
import com.alibaba.otter.canal.server.embedded.CanalServerWithEmbedded;
import com.alibaba.otter.canal.server.netty.CanalServerWithNetty;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * A real Canal server (com.alibaba.otter:canal.server 1.1.7) in a JVM of its own, as the canal scenario runs it:
 * {@link CanalServerWithEmbedded} behind its Netty front end {@link CanalServerWithNetty}, with {@code count}
 * destinations {@code bench0..}, each an instance of Canal's own ({@link CanalInstanceWithManager}: memory store
 * counting entries ({@code ITEMSIZE}), memory meta, no table-meta history, no heartbeat) with its own replica
 * connection to the primary from (file, position), user and filter as given. A destination's instance starts
 * (connects to the primary and parses its binlog) when the bench writes {@code start FROM TO} on standard input
 * (destinations {@code benchFROM} to {@code benchTO-1}), just before their clients connect, so that Canal reads and
 * parses the binlog while its clients are measured (Canal's start-on-subscription does not work with the stock
 * client: its login subscribes before the subscription would start the instance); {@code stop FROM TO} stops them
 * again after their run, freeing their memory stores. It runs until its standard input closes.
 *
 * <pre>CanalServerMain host port user password file position count listenPort filter</pre>
 * Prints {@code canal-server ready on port N} once it listens.
 */
public final class CanalServerMain {
    /** The line printed once every destination is started and the server listens. */
    public static final String READY = "canal-server ready on port ";
    /** The line printed once a {@code start FROM TO} or {@code stop FROM TO} command is carried out (then the command). */
    public static final String DONE = "canal-server done: ";
    /** Replica server ids of the destinations: the primary drops a dump when another with the same id starts. */
    public static final long FIRST_SLAVE_ID = 7100;

    private CanalServerMain() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 9) {
            System.err.println("usage: CanalServerMain host port user password file position count listenPort filter");
            System.exit(2);
        }
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        int count = Integer.parseInt(args[6]);
        String filter = args[8];
        CanalServerWithEmbedded embedded = new CanalServerWithEmbedded();
        embedded.setCanalInstanceGenerator(destination -> {
            int i = Integer.parseInt(destination.substring("bench".length()));
            return new CanalInstanceWithManager(canal(destination, FIRST_SLAVE_ID + i, host, port, args[2], args[3],
                    args[4], Long.parseLong(args[5])), filter);
        });
        embedded.start();
        CanalServerWithNetty netty = CanalServerWithNetty.instance();
        netty.setEmbeddedServer(embedded);
        netty.setIp("127.0.0.1");
        netty.setPort(Integer.parseInt(args[7]));
        netty.start();
        System.out.println(READY + args[7]);
        System.out.flush();
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = commands.readLine()) != null; ) {
            String[] f = line.trim().split(" ");
            if (f.length == 3 && (f[0].equals("start") || f[0].equals("stop"))) {
                for (int i = Integer.parseInt(f[1]); i < Integer.parseInt(f[2]); i++) {
                    if (f[0].equals("start")) {
                        embedded.start("bench" + i);
                    } else {
                        embedded.stop("bench" + i);
                    }
                }
                System.out.println(DONE + line);
                System.out.flush();
            }
        }
        netty.stop();
        embedded.stop();
        System.exit(0);
    }

    private static Canal canal(String destination, long slaveId, String host, int port, String user, String password,
                               String file, long position) {
        Canal canal = new Canal();
        canal.setId(slaveId);
        canal.setName(destination);
        CanalParameter p = new CanalParameter();
        p.setMetaMode(CanalParameter.MetaMode.MEMORY);
        p.setHaMode(CanalParameter.HAMode.HEARTBEAT);
        p.setIndexMode(CanalParameter.IndexMode.MEMORY);
        p.setStorageMode(CanalParameter.StorageMode.MEMORY);
        p.setStorageBatchMode(CanalParameter.BatchMode.ITEMSIZE);
        p.setMemoryStorageBufferSize(16 * 1024);
        p.setSourcingType(CanalParameter.SourcingType.MYSQL);
        p.setDbAddresses(List.of(new InetSocketAddress(host, port)));
        p.setDbUsername(user);
        p.setDbPassword(password);
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
}
