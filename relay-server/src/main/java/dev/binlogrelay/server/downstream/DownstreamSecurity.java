package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.auth.AuthPlugin;
import dev.binlogrelay.core.auth.Pem;
import dev.binlogrelay.core.auth.TlsPasswordProof;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

import javax.net.ssl.SSLException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAKey;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * How the downstream server secures logins: TLS (null = plain TCP only, CLIENT_SSL not announced; otherwise the
 * context and the certificate's fingerprint, which logins over TLS prove with the password), the RSA
 * key pair for caching_sha2_password's full authentication over plain TCP, and the plugin the handshake
 * announces (null = the upstream flavor's default). Immutable, thread-safe. A generated key pair is made in
 * the background at start-up; the first login that needs it waits for it.
 */
public final class DownstreamSecurity {
    public static final int GENERATED_RSA_BITS = 2048;

    private final ServerTls tls;
    private final CompletableFuture<KeyPair> rsaKeys;
    private final AuthPlugin defaultPlugin;
    private volatile String rsaPublicKeyPem;

    /** A TLS server context and the SHA-256 fingerprint of the certificate it presents. */
    public record ServerTls(SslContext context, byte[] fingerprint) {
        public ServerTls {
            Objects.requireNonNull(context, "context");
            Objects.requireNonNull(fingerprint, "fingerprint");
        }
    }

    private DownstreamSecurity(ServerTls tls, CompletableFuture<KeyPair> rsaKeys, AuthPlugin defaultPlugin) {
        this.tls = tls;
        this.rsaKeys = rsaKeys;
        this.defaultPlugin = defaultPlugin;
    }

    /** With a given RSA key pair. */
    public DownstreamSecurity(ServerTls tls, KeyPair rsaKeys, AuthPlugin defaultPlugin) {
        this(tls, CompletableFuture.completedFuture(checkRsa(rsaKeys)), defaultPlugin);
    }

    /** With a 2048-bit RSA key pair generated in the background. */
    public static DownstreamSecurity withGeneratedRsaKeys(ServerTls tls, AuthPlugin defaultPlugin) {
        return new DownstreamSecurity(tls, CompletableFuture.supplyAsync(() -> Pem.generateRsa(GENERATED_RSA_BITS)), defaultPlugin);
    }

    /** No TLS, a generated RSA key pair, the flavor's default plugin. */
    public static DownstreamSecurity plain() {
        return withGeneratedRsaKeys(null, null);
    }

    private static KeyPair checkRsa(KeyPair keys) {
        Objects.requireNonNull(keys, "rsaKeys");
        if (!(keys.getPublic() instanceof RSAPublicKey)) {
            throw new IllegalArgumentException("the caching_sha2_password key pair must be RSA");
        }
        return keys;
    }

    /** The TLS server context, or null for plain TCP only. */
    public SslContext tls() {
        return tls == null ? null : tls.context();
    }

    /** The SHA-256 fingerprint of the certificate TLS presents, or null without TLS. */
    public byte[] tlsFingerprint() {
        return tls == null ? null : tls.fingerprint().clone();
    }

    /** The plugin the handshake announces, or null for the upstream flavor's default. */
    public AuthPlugin defaultPlugin() {
        return defaultPlugin;
    }

    /** The RSA key pair (waits for a generated one). */
    public KeyPair rsaKeys() {
        return rsaKeys.join();
    }

    /** The public key as the server sends it on a public-key request (PEM, "BEGIN PUBLIC KEY"). */
    public String rsaPublicKeyPem() {
        String pem = rsaPublicKeyPem;
        if (pem == null) {
            pem = Pem.encode(rsaKeys().getPublic());
            rsaPublicKeyPem = pem;
        }
        return pem;
    }

    /**
     * A TLS server context from a certificate chain and its key; with {@code clientCa}, clients that present a
     * certificate must present one issued by it (presenting one stays optional).
     *
     * @throws IllegalArgumentException if the key does not belong to the certificate or the context cannot be built
     */
    public static ServerTls tlsContext(List<X509Certificate> chain, PrivateKey key, List<X509Certificate> clientCa) {
        PublicKey certKey = chain.get(0).getPublicKey();
        if (!certKey.getAlgorithm().equals(key.getAlgorithm())
                || certKey instanceof RSAKey rc && key instanceof RSAKey rk && !rc.getModulus().equals(rk.getModulus())) {
            throw new IllegalArgumentException("the key does not belong to the certificate "
                    + chain.get(0).getSubjectX500Principal());
        }
        try {
            SslContextBuilder b = SslContextBuilder.forServer(key, chain);
            if (clientCa != null && !clientCa.isEmpty()) {
                b.trustManager(clientCa).clientAuth(ClientAuth.OPTIONAL);
            }
            return new ServerTls(b.build(), TlsPasswordProof.fingerprint(chain.get(0)));
        } catch (SSLException | RuntimeException e) {
            throw new IllegalArgumentException("cannot set up TLS: " + e.getMessage(), e);
        }
    }
}
