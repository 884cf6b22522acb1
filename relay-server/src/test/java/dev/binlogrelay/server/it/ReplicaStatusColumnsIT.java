package dev.binlogrelay.server.it;

import dev.binlogrelay.server.Relay;
import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.testkit.MariaDbLine;
import dev.binlogrelay.testkit.MariaDbServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * SHOW SLAVE STATUS in front of a MariaDB 11.4 primary (AdminStatementsIT covers 10.11): the relay presents the
 * primary's version, and answers with the columns that version's own server lists, in its order.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ReplicaStatusColumnsIT {
    @TempDir
    Path tmp;

    @Test
    void mariaDb114ColumnsAsTheServerListsThem() throws Exception {
        AdminClients.mariadbClient();
        try (MariaDbServer primary = MariaDbLine.MARIADB_11_4.builder().name("primary-11.4").serverId(41).start()) {
            RelayHarness.createAppTable(primary);
            StockReplicasIT.workload0(primary, 5);
            RelayConfig c = RelayHarness.config(primary, tmp.resolve("relay"), 9041, "earliest");
            RelayConfig.User op = new RelayConfig.User();
            op.user = AdminClients.ADMIN;
            op.password = AdminClients.ADMIN_PASSWORD;
            op.role = "admin";
            c.downstream.users = List.of(c.downstream.users.get(0), op);
            List<String> server;
            try (Connection p = primary.connect()) {
                server = AdminClients.query(p, "SHOW SLAVE STATUS").columns();
            }
            try (Relay relay = Relay.start(c)) {
                RelayHarness.awaitCaughtUp(relay, primary, Duration.ofSeconds(60));
                try (Connection r = AdminClients.connectorJ(relay.port(), AdminClients.ADMIN, AdminClients.ADMIN_PASSWORD)) {
                    for (String statement : List.of("SHOW SLAVE STATUS", "SHOW REPLICA STATUS")) {
                        AdminClients.Rows rs = AdminClients.query(r, statement);
                        assertEquals(server, rs.columns(), statement + " in front of " + primary.version());
                        assertEquals("Yes", rs.only().get("Slave_IO_Running"));
                        assertEquals(primary.gtidBinlogPos(), rs.only().get("Gtid_IO_Pos"));
                    }
                }
                AdminClients.Cli cli = AdminClients.mariadb(relay.port(), AdminClients.ADMIN, AdminClients.ADMIN_PASSWORD,
                        "SHOW SLAVE STATUS");
                assertEquals(0, cli.exitCode(), cli.output());
                Map<String, String> row = cli.rows().get(0);
                assertEquals(server, new ArrayList<>(row.keySet()));
            }
        }
    }
}
