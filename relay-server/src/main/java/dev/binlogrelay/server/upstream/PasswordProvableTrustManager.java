package dev.binlogrelay.server.upstream;

import dev.binlogrelay.core.auth.TlsPasswordProof;
import io.netty.handler.ssl.util.SimpleTrustManagerFactory;

import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.X509Certificate;

/**
 * The upstream client's trust for {@code ssl_mode: verify_ca / verify_identity} without {@code ssl_ca}, as MariaDB
 * 11.4's client does it: a certificate the JVM's CAs (and, for verify_identity, the host name) accept is trusted; one
 * they do not accept, but that is in its validity period, is left <em>in doubt</em>: the TLS handshake goes on, the
 * certificate's SHA-256 fingerprint is put in the session under {@link #IN_DOUBT}, and the login must end with the
 * primary's proof that it knows the password hash and holds that certificate ({@link TlsPasswordProof}); without it
 * {@link UpstreamLogin} drops the connection before anything is dumped. Nothing secret is sent over a connection in
 * doubt: mysql_native_password sends a scramble only, and caching_sha2_password's full authentication (the
 * password itself) is refused there.
 */
final class PasswordProvableTrustManager extends X509ExtendedTrustManager {
    /** Session value: the fingerprint (byte[]) of a certificate left in doubt. */
    static final String IN_DOUBT = "binlog-relay.certificate-in-doubt";

    private final X509ExtendedTrustManager inner;

    private PasswordProvableTrustManager(X509ExtendedTrustManager inner) {
        this.inner = inner;
    }

    /** A factory for Netty's SslContextBuilder around the JVM's default trust store. */
    static TrustManagerFactory factory() {
        X509ExtendedTrustManager defaults;
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init((KeyStore) null);
            defaults = null;
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager x) {
                    defaults = x;
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read the JVM's trust store: " + e.getMessage(), e);
        }
        if (defaults == null) {
            throw new IllegalArgumentException("the JVM has no X.509 trust manager");
        }
        TrustManager tm = new PasswordProvableTrustManager(defaults);
        return new SimpleTrustManagerFactory() {
            @Override
            protected void engineInit(KeyStore keyStore) {
            }

            @Override
            protected void engineInit(ManagerFactoryParameters params) {
            }

            @Override
            protected TrustManager[] engineGetTrustManagers() {
                return new TrustManager[]{tm};
            }
        };
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        try {
            inner.checkServerTrusted(chain, authType, engine);
        } catch (CertificateException e) {
            SSLSession handshake = engine == null ? null : engine.getHandshakeSession();
            if (e instanceof CertificateExpiredException || chain == null || chain.length == 0 || handshake == null) {
                throw e;
            }
            chain[0].checkValidity();
            handshake.putValue(IN_DOUBT, TlsPasswordProof.fingerprint(chain[0]));
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        inner.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        inner.checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        inner.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        inner.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        inner.checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return inner.getAcceptedIssuers();
    }
}
