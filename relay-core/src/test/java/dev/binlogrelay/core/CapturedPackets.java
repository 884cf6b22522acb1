package dev.binlogrelay.core;

/**
 * Packet payloads captured from real peers (hex, without the 4-byte packet header), for decode tests that do not
 * trust our own encoder.
 *
 * <p>Captured with a throw-away MariaDB 10.11.19 (Debian 12 package) on 127.0.0.1 and the {@code mariadb} command
 * line client (libmariadb 3.3.20), which logged in as {@code repl} with password {@code secret} to a stub server
 * that replayed {@link #MARIADB_HANDSHAKE}.
 */
public final class CapturedPackets {
    /** The initial handshake of MariaDB 10.11.19, connection id 4. */
    public static final String MARIADB_HANDSHAKE = "0a352e352e352d31302e31312e31392d4d6172696144422d302b646562313275312d6c6f6700"
            + "040000003a52705c5b35354b00fef7080200ff81150000000000001d00000058593642283e42702d2f4342006d7973716c5f6e61746976"
            + "655f70617373776f726400";

    /** The 20-byte scramble of {@link #MARIADB_HANDSHAKE}: part 1 then part 2 (without its NUL). */
    public static final String MARIADB_SCRAMBLE = "3a52705c5b35354b" + "58593642283e42702d2f4342";

    /** The mysql_native_password response of the client for password {@code secret} to {@link #MARIADB_SCRAMBLE}. */
    public static final String NATIVE_RESPONSE_SECRET = "e07f39cf219678b5bf4f35e17c77056bab1c416e";

    /** {@code mariadb -h127.0.0.1 -urepl -psecret -D mydb}: handshake response with a database and attributes. */
    public static final String MARIADB_CLIENT_RESPONSE_WITH_DB = "8ca2bf000000100021000000000000000000000000000000000000001d"
            + "0000007265706c0014" + NATIVE_RESPONSE_SECRET + "6d796462006d7973716c5f6e61746976655f70617373776f7264007f035f"
            + "6f73054c696e75780c5f636c69656e745f6e616d650a6c69626d617269616462045f7069640531353936380f5f636c69656e745f"
            + "76657273696f6e06332e332e3230095f706c6174666f726d067838365f36340c70726f6772616d5f6e616d65056d7973716c0c5f"
            + "7365727665725f686f7374093132372e302e302e31";

    /** The same without {@code -D}: CLIENT_CONNECT_WITH_DB is off and no database field is sent. */
    public static final String MARIADB_CLIENT_RESPONSE_NO_DB = "84a2bf000000100021000000000000000000000000000000000000001d"
            + "0000007265706c0014" + NATIVE_RESPONSE_SECRET + "6d7973716c5f6e61746976655f70617373776f7264007f035f"
            + "6f73054c696e75780c5f636c69656e745f6e616d650a6c69626d617269616462045f7069640531353937300f5f636c69656e745f"
            + "76657273696f6e06332e332e3230095f706c6174666f726d067838365f36340c70726f6772616d5f6e616d65056d7973716c0c5f"
            + "7365727665725f686f7374093132372e302e302e31";

    private CapturedPackets() {
    }
}
