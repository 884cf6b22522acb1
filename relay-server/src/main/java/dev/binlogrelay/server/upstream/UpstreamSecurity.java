package dev.binlogrelay.server.upstream;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;

import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * How the upstream client secures its login: the ssl_mode and its TLS client context (null when disabled),
 * and the primary's RSA public key for caching_sha2_password over plain TCP (null = ask the primary for it).
 */
public record UpstreamSecurity(SslMode sslMode, SslContext tls, PublicKey serverPublicKey) {
    public UpstreamSecurity {
        Objects.requireNonNull(sslMode, "sslMode");
        if (sslMode != SslMode.DISABLED && tls == null) {
            throw new IllegalArgumentException("ssl_mode " + sslMode + " needs a TLS context");
        }
    }

    /**
     * @param ca CA certificates verify_ca / verify_identity trust; null = the JVM's default trust store
     */
    public static UpstreamSecurity of(SslMode mode, List<X509Certificate> ca, PublicKey serverPublicKey) {
        return new UpstreamSecurity(mode, mode == SslMode.DISABLED ? null : clientContext(mode, ca), serverPublicKey);
    }

    private static SslContext clientContext(SslMode mode, List<X509Certificate> ca) {
        try {
            // no ssl_ca: the JVM's CAs, or else the primary proves its certificate with the password (MariaDB 11.4)
            return clientContext(mode, ca, PasswordProvableTrustManager.factory());
        } catch (SSLException e) {
            throw new IllegalArgumentException("cannot set up TLS to the primary: " + e.getMessage(), e);
        }
    }

    /**
     * A client TLS context for {@code mode} (not DISABLED): any certificate unless the mode verifies it; then the
     * {@code ca} certificates, or without them {@code withoutCa} (null: the JVM's default trust store). verify_ca
     * checks the chain only; verify_identity also the host name (or IP) in the certificate.
     */
    public static SslContext clientContext(SslMode mode, List<X509Certificate> ca, TrustManagerFactory withoutCa)
            throws SSLException {
        SslContextBuilder b = SslContextBuilder.forClient();
        if (!mode.verifiesCertificate()) {
            b.trustManager(InsecureTrustManagerFactory.INSTANCE);
        } else if (ca != null) {
            b.trustManager(ca);
        } else if (withoutCa != null) {
            b.trustManager(withoutCa);
        }
        b.endpointIdentificationAlgorithm(mode == SslMode.VERIFY_IDENTITY ? "HTTPS" : null);
        return b.build();
    }
}
