package dev.binlogrelay.server.admin;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The character set a client names in its handshake is its session's, as on the server. */
class HandshakeCharsetTest {
    private static List<String> charsetVariables(Sql sql) {
        return sql.rows("SELECT @@character_set_client, @@character_set_connection, @@character_set_results,"
                + " @@collation_connection").rows().get(0);
    }

    @Test
    void aClientsCharsetSetsItsSessionVariables() {
        Sql maria = Sql.typical(); // MariaDB 10.11 defaults: latin1
        assertEquals(List.of("latin1", "latin1", "latin1", "latin1_swedish_ci"), charsetVariables(maria));
        maria.handler.handshakeCharset(45, maria.session); // utf8mb4_general_ci, MariaDB Connector/J's
        assertEquals(List.of("utf8mb4", "utf8mb4", "utf8mb4", "utf8mb4_general_ci"), charsetVariables(maria));
        assertEquals("latin1", maria.scalar("SELECT @@global.character_set_client"), "the global value stays");

        Sql mysql = Sql.mysql(); // MySQL 8: utf8mb4_0900_ai_ci
        mysql.handler.handshakeCharset(224, mysql.session);
        assertEquals("utf8mb4_0900_ai_ci", charsetVariables(mysql).get(3),
                "the global character set: the globals stay, as MariaDB's thd_init_client_charset does");
        mysql.handler.handshakeCharset(33, mysql.session);
        assertEquals(List.of("utf8mb3", "utf8mb3", "utf8mb3", "utf8mb3_general_ci"), charsetVariables(mysql));
    }

    @Test
    void anUnknownOrTheGlobalCharsetLeavesTheGlobals() {
        Sql sql = Sql.typical();
        sql.handler.handshakeCharset(0, sql.session);
        sql.handler.handshakeCharset(250, sql.session);
        sql.handler.handshakeCharset(47, sql.session); // latin1_bin: latin1 is the global character_set_client
        assertEquals(List.of("latin1", "latin1", "latin1", "latin1_swedish_ci"), charsetVariables(sql));
    }
}
