package dev.binlogrelay.core.auth;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM keys and certificates, with the JDK only.
 *
 * <pre>
 * -----BEGIN PRIVATE KEY-----       PKCS#8 (RSA or EC)
 * -----BEGIN RSA PRIVATE KEY-----   PKCS#1 (RSA; wrapped into PKCS#8 here)
 * -----BEGIN PUBLIC KEY-----        X.509 SubjectPublicKeyInfo (what MySQL sends and writes as public_key.pem)
 * -----BEGIN RSA PUBLIC KEY-----    PKCS#1 (wrapped into SubjectPublicKeyInfo here)
 * -----BEGIN CERTIFICATE-----       X.509, one or more
 * </pre>
 * Encrypted private keys are refused with a message saying so.
 */
public final class Pem {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    /** AlgorithmIdentifier { rsaEncryption, NULL }. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0D, 0x06, 0x09, 0x2A, (byte) 0x86, 0x48, (byte) 0x86,
            (byte) 0xF7, 0x0D, 0x01, 0x01, 0x01, 0x05, 0x00};

    private Pem() {
    }

    /** A decoded PEM block: its label ("PRIVATE KEY", ...) and DER bytes. */
    public record Block(String label, byte[] der) {
    }

    public static List<Block> blocks(String pem) {
        List<Block> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            try {
                out.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("PEM block '" + m.group(1) + "' is not valid base64");
            }
        }
        return out;
    }

    public static List<X509Certificate> certificates(String pem) {
        List<X509Certificate> certs = new ArrayList<>();
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            for (Block b : blocks(pem)) {
                if (b.label().equals("CERTIFICATE") || b.label().equals("X509 CERTIFICATE")) {
                    certs.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(b.der())));
                }
            }
        } catch (CertificateException e) {
            throw new IllegalArgumentException("not a valid X.509 certificate: " + e.getMessage(), e);
        }
        if (certs.isEmpty()) {
            throw new IllegalArgumentException("no -----BEGIN CERTIFICATE----- block");
        }
        return certs;
    }

    public static PrivateKey privateKey(String pem) {
        for (Block b : blocks(pem)) {
            switch (b.label()) {
                case "PRIVATE KEY":
                    return pkcs8(b.der());
                case "RSA PRIVATE KEY":
                    return pkcs8(der(0x30, concat(new byte[]{0x02, 0x01, 0x00}, RSA_ALGORITHM, der(0x04, b.der()))));
                case "ENCRYPTED PRIVATE KEY":
                    throw new IllegalArgumentException("the private key is encrypted; give an unencrypted PKCS#8 "
                            + "key (openssl pkcs8 -topk8 -nocrypt)");
                case "EC PRIVATE KEY":
                    throw new IllegalArgumentException("SEC1 EC keys are not supported; convert to PKCS#8 "
                            + "(openssl pkcs8 -topk8 -nocrypt)");
                default:
                    break;
            }
        }
        throw new IllegalArgumentException("no -----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY----- block");
    }

    public static PublicKey publicKey(String pem) {
        for (Block b : blocks(pem)) {
            byte[] spki = switch (b.label()) {
                case "PUBLIC KEY" -> b.der();
                case "RSA PUBLIC KEY" -> der(0x30, concat(RSA_ALGORITHM, der(0x03, concat(new byte[]{0}, b.der()))));
                default -> null;
            };
            if (spki != null) {
                try {
                    return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(spki));
                } catch (GeneralSecurityException e) {
                    throw new IllegalArgumentException("not a valid RSA public key: " + e.getMessage(), e);
                }
            }
        }
        throw new IllegalArgumentException("no -----BEGIN PUBLIC KEY----- or -----BEGIN RSA PUBLIC KEY----- block");
    }

    /** The public half of an RSA private key (PKCS#8 and PKCS#1 keys carry it). */
    public static PublicKey rsaPublicKeyOf(PrivateKey key) {
        if (!(key instanceof RSAPrivateCrtKey crt)) {
            throw new IllegalArgumentException("not an RSA private key with its public exponent");
        }
        try {
            return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** "-----BEGIN PUBLIC KEY-----" PEM of a public key, 64 characters a line, as OpenSSL writes it. */
    public static String encode(PublicKey key) {
        return encode("PUBLIC KEY", key.getEncoded());
    }

    public static String encode(String label, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
    }

    public static KeyPair generateRsa(int bits) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(bits);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static PrivateKey pkcs8(byte[] der) {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : new String[]{"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException("not a valid RSA, EC or Ed25519 PKCS#8 private key");
    }

    /** A DER TLV with a definite length. */
    private static byte[] der(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int len = content.length;
        if (len < 0x80) {
            out.write(len);
        } else {
            int bytes = len > 0xFFFFFF ? 4 : len > 0xFFFF ? 3 : len > 0xFF ? 2 : 1;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(len >>> (8 * i));
            }
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
