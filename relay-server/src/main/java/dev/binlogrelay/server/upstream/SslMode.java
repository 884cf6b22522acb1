package dev.binlogrelay.server.upstream;

import java.util.Locale;

/** upstream.ssl_mode, as the MySQL client's --ssl-mode. */
public enum SslMode {
    /** Plain TCP. */
    DISABLED,
    /** TLS when the primary offers it (any certificate), plain TCP otherwise. The default, as in the MySQL client. */
    PREFERRED,
    /** TLS or no connection; any certificate. */
    REQUIRED,
    /** TLS with a certificate issued by upstream.ssl_ca (or a CA the JVM trusts). */
    VERIFY_CA,
    /** VERIFY_CA, and the certificate must name upstream.host. */
    VERIFY_IDENTITY;

    public static SslMode parse(String text) {
        if (text == null || text.isBlank()) {
            return PREFERRED;
        }
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not disabled, preferred, required, verify_ca or verify_identity");
        }
    }

    public boolean verifiesCertificate() {
        return this == VERIFY_CA || this == VERIFY_IDENTITY;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
