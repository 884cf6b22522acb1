package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.auth.Pem;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;

/**
 * The relay's own TLS certificate when {@code downstream.tls} names none, as MariaDB 11.4 and MySQL 8 make one at
 * start-up: a self-signed RSA 2048 certificate and its key, written once into {@code data_dir/tls/} (key mode 0600)
 * and read from there at every later start, so replicas that pinned its fingerprint keep trusting it.
 *
 * <p>Clients verify it with their password (see {@link dev.binlogrelay.core.auth.TlsPasswordProof}) or, once an
 * operator copies {@code cert.pem} to them, as their CA ({@code MASTER_SSL_CA}, {@code --ssl-ca}). The certificate
 * names {@code localhost}, 127.0.0.1 and this host's name, for clients that also check the host name.
 */
public final class GeneratedCertificate {
    private static final Logger log = LoggerFactory.getLogger(GeneratedCertificate.class);
    static final String DIR = "tls";
    static final String CERT_FILE = "cert.pem";
    static final String KEY_FILE = "key.pem";
    private static final Duration VALIDITY = Duration.ofDays(3650);

    /** The certificate and its key. */
    public record Material(X509Certificate certificate, PrivateKey key, Path certFile) {
    }

    private GeneratedCertificate() {
    }

    /** Reads {@code dataDir/tls/{cert,key}.pem}, or makes and writes them when absent. */
    public static Material loadOrCreate(Path dataDir) {
        Path dir = dataDir.resolve(DIR);
        Path certFile = dir.resolve(CERT_FILE);
        Path keyFile = dir.resolve(KEY_FILE);
        try {
            if (Files.isRegularFile(certFile) && Files.isRegularFile(keyFile)) {
                List<X509Certificate> certs = Pem.certificates(Files.readString(certFile, StandardCharsets.US_ASCII));
                PrivateKey key = Pem.privateKey(Files.readString(keyFile, StandardCharsets.US_ASCII));
                if (certs.isEmpty()) {
                    throw new IllegalStateException(certFile + " holds no certificate; delete it and " + keyFile
                            + " to have new ones made");
                }
                return new Material(certs.get(0), key, certFile);
            }
            Files.createDirectories(dir);
            KeyPair keys = Pem.generateRsa(2048);
            X509Certificate cert = selfSigned(keys);
            writeAtomically(keyFile, Pem.encode("PRIVATE KEY", keys.getPrivate().getEncoded()), true);
            writeAtomically(certFile, Pem.encode("CERTIFICATE", cert.getEncoded()), false);
            log.info("downstream TLS: made a self-signed certificate ({}), SHA-256 fingerprint {}; clients verify it with"
                    + " their password (MariaDB 11.4+) or with it as their CA", certFile, fingerprintText(cert));
            return new Material(cert, keys.getPrivate(), certFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the relay's TLS certificate in " + dir + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make the relay's TLS certificate: " + e.getMessage(), e);
        }
    }

    /** "AB:CD:…", as {@code openssl x509 -fingerprint -sha256} prints it. */
    public static String fingerprintText(X509Certificate cert) {
        return HexFormat.ofDelimiter(":").withUpperCase().formatHex(dev.binlogrelay.core.auth.TlsPasswordProof.fingerprint(cert));
    }

    private static X509Certificate selfSigned(KeyPair keys) throws GeneralSecurityException, IOException {
        X500Name name = new X500Name("CN=binlog-relay auto-generated certificate");
        Instant now = Instant.now();
        BigInteger serial = new BigInteger(64, new SecureRandom());
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial, Date.from(now.minus(Duration.ofDays(1))),
                Date.from(now.plus(VALIDITY)), name, keys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(altNames().toArray(GeneralName[]::new)));
        try {
            var signer = new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate());
            return new JcaX509CertificateConverter().getCertificate(b.build(signer));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e.getMessage(), e);
        }
    }

    private static List<GeneralName> altNames() {
        List<GeneralName> names = new ArrayList<>(List.of(new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
        try {
            String host = InetAddress.getLocalHost().getHostName();
            if (!host.isBlank() && !"localhost".equals(host) && host.matches("[A-Za-z0-9.-]+")) {
                names.add(new GeneralName(GeneralName.dNSName, host));
            }
        } catch (IOException e) {
            // no host name: localhost and 127.0.0.1 only
        }
        return names;
    }

    private static void writeAtomically(Path target, String text, boolean secret) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        if (secret) {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Files.writeString(tmp, text, StandardCharsets.US_ASCII);
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
