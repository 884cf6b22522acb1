package dev.binlogrelay.core.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Objects;

/**
 * MariaDB 11.4's password-based verification of a server certificate nobody signed ("zero-configuration SSL",
 * MDEV-31855). A client that asked to verify the certificate but has no CA that signed it goes on with the login and
 * takes the certificate's SHA-256 fingerprint; once the password is accepted the server proves that it knows the
 * password hash <em>and</em> holds that certificate, in the info field of the final OK packet:
 *
 * <pre>
 * info = 0x01 | HEX( SHA-256( password hash | scramble | SHA-256(certificate DER) ) )     upper-case hex, 64 chars
 * </pre>
 *
 * The password hash is the one the server stores for the auth plugin (mysql_native_password:
 * {@code SHA1(SHA1(password))}); the scramble is the 20-byte nonce of the handshake. A man in the middle with its own
 * certificate would need the hash to compute the proof for its fingerprint. Only plugins whose exchange does not
 * hand the password to the server are accepted by clients (mysql_native_password, ed25519, parsec; not
 * caching_sha2_password, whose full authentication sends the password itself).
 */
public final class TlsPasswordProof {
    /** The first byte of the info: the digest is SHA-256. */
    public static final int SHA256 = 0x01;

    private TlsPasswordProof() {
    }

    /** The SHA-256 fingerprint of a certificate (its DER encoding). */
    public static byte[] fingerprint(X509Certificate certificate) {
        try {
            return sha256().digest(certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("cannot encode certificate " + certificate.getSubjectX500Principal(), e);
        }
    }

    /** The OK packet's info string proving the certificate (see the class comment). */
    public static String okInfo(byte[] passwordHash, byte[] scramble, byte[] certificateFingerprint) {
        return (char) SHA256 + HexFormat.of().withUpperCase().formatHex(digest(passwordHash, scramble, certificateFingerprint));
    }

    /**
     * The client side: true when {@code info} (the OK packet's info bytes) proves the certificate whose fingerprint
     * the client took, for the password hash the client computed itself. Compared in constant time.
     */
    public static boolean verifies(byte[] info, byte[] passwordHash, byte[] scramble, byte[] certificateFingerprint) {
        if (info == null || info.length != 1 + 64 || (info[0] & 0xFF) != SHA256) {
            return false;
        }
        byte[] expected = HexFormat.of().withUpperCase().formatHex(digest(passwordHash, scramble, certificateFingerprint))
                .getBytes(StandardCharsets.US_ASCII);
        byte[] got = new String(info, 1, 64, StandardCharsets.US_ASCII).toUpperCase(java.util.Locale.ROOT)
                .getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, got);
    }

    private static byte[] digest(byte[] passwordHash, byte[] scramble, byte[] certificateFingerprint) {
        Objects.requireNonNull(passwordHash, "passwordHash");
        Objects.requireNonNull(scramble, "scramble");
        Objects.requireNonNull(certificateFingerprint, "certificateFingerprint");
        MessageDigest d = sha256();
        d.update(passwordHash);
        d.update(scramble);
        d.update(certificateFingerprint);
        return d.digest();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
