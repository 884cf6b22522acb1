package dev.binlogrelay.bench;

import com.github.shyiko.mysql.binlog.BinaryLogClient;
import com.github.shyiko.mysql.binlog.event.EventType;
import com.github.shyiko.mysql.binlog.event.EventHeaderV4;
import dev.binlogrelay.server.Relay;
import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.testkit.MariaDbServer;
import dev.binlogrelay.testkit.ReplicaMode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The live demo: an embedded MariaDB primary, the relay replicating from it, a stock MariaDB replica and a
 * CDC reader (mysql-binlog-connector-java) both reading through the relay. Writes rows for a while, prints
 * what flows, then checks that the replica matches the primary.
 *
 * <p>{@code mvn -q -DskipTests install && mvn -q -pl bench exec:java} (add {@code -Dexec.args="--seconds 60"}).
 */
public final class Demo {
    private Demo() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length == 2 && args[0].equals("--seconds") ? Integer.parseInt(args[1]) : 15;
        Path dir = Files.createTempDirectory("binlog-relay-demo-");
        say("starting an embedded MariaDB primary ...");
        try (MariaDbServer primary = MariaDbServer.builder().name("demo-primary").serverId(1).start()) {
            say("primary %s on 127.0.0.1:%d", primary.version(), primary.port());
            primary.execute("CREATE DATABASE shop",
                    "CREATE TABLE shop.orders (id INT PRIMARY KEY AUTO_INCREMENT, customer VARCHAR(64), total DECIMAL(10,2), meta JSON)");
            RelayConfig config = config(primary, dir.resolve("relay-data"));
            try (Relay relay = Relay.start(config);
                 MariaDbServer replica = MariaDbServer.builder().name("demo-replica").serverId(2).start()) {
                say("relay (server_id %d) on 127.0.0.1:%d, store in %s", config.serverId, relay.port(), config.dataDir);
                replica.startReplica("127.0.0.1", relay.port(), "repl", "secret", ReplicaMode.SLAVE_POS, null, 0);
                say("stock replica %s on 127.0.0.1:%d replicating from the relay (MASTER_USE_GTID=slave_pos)",
                        replica.version(), replica.port());
                AtomicLong cdcRows = new AtomicLong();
                BinaryLogClient cdc = cdcReader(relay.port(), cdcRows);
                cdc.connect(10_000);
                say("CDC reader (mysql-binlog-connector-java) streaming from the relay");

                long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
                int orders = 0;
                try (Connection c = primary.connect();
                     PreparedStatement ins = c.prepareStatement("INSERT INTO shop.orders (customer, total, meta) VALUES (?, ?, ?)")) {
                    while (System.nanoTime() < end) {
                        for (int i = 0; i < 50; i++) {
                            orders++;
                            ins.setString(1, "customer-" + (orders % 97));
                            ins.setBigDecimal(2, java.math.BigDecimal.valueOf(orders % 1000, 1));
                            ins.setString(3, "{\"channel\": \"web\", \"n\": " + orders + "}");
                            ins.executeUpdate();
                        }
                        c.createStatement().executeUpdate("UPDATE shop.orders SET total = total + 1 WHERE id % 10 = " + (orders % 10));
                        Thread.sleep(1000);
                        say("primary: %d orders written | relay stored up to %s | replica at GTID %s | CDC saw %d row events",
                                orders, relay.store().committedEnd().map(Object::toString).orElse("-"),
                                replica.queryString("SELECT @@gtid_slave_pos"), cdcRows.get());
                    }
                }
                String target = primary.gtidBinlogPos();
                replica.awaitReplicaCaughtUp(target, Duration.ofSeconds(60));
                String p = primary.checksumTable("shop.orders");
                String r = replica.checksumTable("shop.orders");
                cdc.disconnect();
                say("CHECKSUM TABLE shop.orders: primary %s, replica %s", p, r);
                if (!p.equals(r)) {
                    say("MISMATCH: the replica does not match the primary");
                    System.exit(1);
                }
                say("the replica matches the primary (%d orders, GTID %s); CDC reader saw %d row events. Done.",
                        orders, target, cdcRows.get());
            }
        }
        System.exit(0);
    }

    private static BinaryLogClient cdcReader(int port, AtomicLong rows) {
        BinaryLogClient cdc = new BinaryLogClient("127.0.0.1", port, "repl", "secret");
        cdc.setServerId(7001);
        cdc.setKeepAlive(false);
        cdc.registerEventListener(e -> {
            EventType t = e.getHeader().getEventType();
            if (EventType.isRowMutation(t)) {
                rows.incrementAndGet();
            }
            if (t == EventType.XID && rows.get() % 500 == 0 && rows.get() > 0) {
                say("CDC: %s at position %d", t, ((EventHeaderV4) e.getHeader()).getNextPosition());
            }
        });
        return cdc;
    }

    private static RelayConfig config(MariaDbServer primary, Path data) {
        RelayConfig c = new RelayConfig();
        c.serverId = 9001L;
        c.dataDir = data.toString();
        c.upstream = new RelayConfig.Upstream();
        c.upstream.host = primary.host();
        c.upstream.port = primary.port();
        c.upstream.user = "repl";
        c.upstream.password = "secret";
        c.upstream.start = "earliest";
        c.downstream = new RelayConfig.Downstream();
        c.downstream.listen = "127.0.0.1:0";
        RelayConfig.User u = new RelayConfig.User();
        u.user = "repl";
        u.password = "secret";
        c.downstream.users = List.of(u);
        return c;
    }

    private static void say(String format, Object... args) {
        System.out.printf("[demo] " + format + "%n", args);
    }
}
