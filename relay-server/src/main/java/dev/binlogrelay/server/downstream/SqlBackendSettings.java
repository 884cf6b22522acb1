package dev.binlogrelay.server.downstream;

import io.netty.handler.ssl.SslContext;

import java.util.Objects;

/**
 * {@code downstream.sql_backend}: the database that answers, on a per-session connection, the read-only statements
 * the relay does not answer itself ({@link SqlBackendRule}, {@link SqlBackendSession}).
 *
 * @param tls          the TLS client context; null = plain TCP
 * @param tlsRequired  refuse a backend that does not offer TLS (ssl_mode required, verify_ca, verify_identity)
 * @param maxPacket    the largest packet the backend may send (a row), bytes: what one session's backend
 *                     connection holds at most besides what the client's socket buffer holds
 */
public record SqlBackendSettings(String host, int port, String user, String password, SslContext tls,
                                 boolean tlsRequired, long maxPacket) {
    /** 64 MiB: MariaDB's default max_allowed_packet (16 MiB) with room; a larger row is refused with 1153. */
    public static final long DEFAULT_MAX_PACKET = 64L * 1024 * 1024;

    public SqlBackendSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        password = password == null ? "" : password;
        if (tlsRequired && tls == null) {
            throw new IllegalArgumentException("TLS required without a TLS context");
        }
    }

    /** host:port, for messages. */
    public String address() {
        return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    }
}
