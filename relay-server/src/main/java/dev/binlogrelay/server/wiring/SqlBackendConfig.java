package dev.binlogrelay.server.wiring;

import dev.binlogrelay.server.config.ConfigException;
import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.server.downstream.SqlBackendSettings;
import dev.binlogrelay.server.upstream.SslMode;
import dev.binlogrelay.server.upstream.UpstreamSecurity;
import io.netty.handler.ssl.SslContext;

import javax.net.ssl.SSLException;
import java.security.cert.X509Certificate;
import java.util.List;

/** {@code downstream.sql_backend} turned into the downstream server's {@link SqlBackendSettings}. */
public final class SqlBackendConfig {
    private static final String KEY = "downstream.sql_backend";

    private SqlBackendConfig() {
    }

    /**
     * The settings of a validated config's backend, or null when none is configured.
     *
     * @throws ConfigException naming a bad ssl_mode or ssl_ca
     */
    public static SqlBackendSettings settings(RelayConfig.Downstream d) {
        RelayConfig.SqlBackend b = d.sqlBackend;
        if (b == null) {
            return null;
        }
        SslMode mode;
        try {
            mode = SslMode.parse(b.sslMode);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("bad value for '" + KEY + ".ssl_mode': " + e.getMessage());
        }
        List<X509Certificate> ca = b.sslCa == null ? null : PemFiles.certificates(b.sslCa, KEY + ".ssl_ca");
        if (ca != null && !mode.verifiesCertificate()) {
            throw new ConfigException(KEY + ".ssl_ca is used only with " + KEY + ".ssl_mode verify_ca or verify_identity, not " + mode);
        }
        SslContext tls = mode == SslMode.DISABLED ? null : clientContext(mode, ca);
        return new SqlBackendSettings(b.host, b.port, b.user, b.password, tls, mode != SslMode.DISABLED && mode != SslMode.PREFERRED,
                SqlBackendSettings.DEFAULT_MAX_PACKET);
    }

    private static SslContext clientContext(SslMode mode, List<X509Certificate> ca) {
        try {
            return UpstreamSecurity.clientContext(mode, ca, null); // without ssl_ca: the JVM's default trust store
        } catch (SSLException | IllegalArgumentException e) {
            throw new ConfigException("bad value for '" + KEY + ".ssl_ca': cannot set up TLS to the backend: " + e.getMessage());
        }
    }
}
