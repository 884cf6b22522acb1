package dev.binlogrelay.server.it;

import dev.binlogrelay.testkit.Peers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Throwaway TLS material made with the openssl CLI at test time (the test is skipped, or failed with
 * RELAY_STRICT_PEERS=1, when openssl is missing): a CA, server certificates it signs, and a second,
 * unrelated CA.
 */
public final class TestCerts {
    private final Path dir;
    private final Path openssl;

    private TestCerts(Path dir, Path openssl) {
        this.dir = dir;
        this.openssl = openssl;
    }

    /** A new CA in {@code dir} ({@code ca.pem}, {@code ca.key}); skips the calling test without openssl. */
    public static TestCerts create(Path dir) throws IOException, InterruptedException {
        var openssl = Peers.tool("openssl");
        Peers.require(openssl.isPresent(), "openssl", "apt-get install -y openssl");
        Files.createDirectories(dir);
        TestCerts certs = new TestCerts(dir, openssl.get());
        certs.ca("ca", "binlog-relay test CA");
        return certs;
    }

    public Path caPem() {
        return dir.resolve("ca.pem");
    }

    /** Another self-signed CA that signed nothing the relay uses. */
    public Path otherCa() throws IOException, InterruptedException {
        return ca("other-ca", "some other CA");
    }

    private Path ca(String name, String cn) throws IOException, InterruptedException {
        run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=" + cn,
                "-keyout", dir.resolve(name + ".key").toString(), "-out", dir.resolve(name + ".pem").toString(),
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return dir.resolve(name + ".pem");
    }

    /** A server certificate and key issued by the CA, for these subjectAltNames (e.g. "IP:127.0.0.1"). */
    public record Server(Path cert, Path key, Path pkcs1Key) {
    }

    public Server server(String name, String... subjectAltNames) throws IOException, InterruptedException {
        Path key = dir.resolve(name + ".key");
        Path csr = dir.resolve(name + ".csr");
        Path cert = dir.resolve(name + ".pem");
        Path ext = dir.resolve(name + ".ext");
        Files.writeString(ext, "subjectAltName=" + String.join(",", subjectAltNames) + "\n"
                + "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n");
        run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + name, "-keyout", key.toString(), "-out", csr.toString());
        run("x509", "-req", "-in", csr.toString(), "-CA", caPem().toString(), "-CAkey", dir.resolve("ca.key").toString(),
                "-CAcreateserial", "-days", "2", "-extfile", ext.toString(), "-out", cert.toString());
        Path pkcs1 = dir.resolve(name + "-pkcs1.key");
        run("rsa", "-in", key.toString(), "-traditional", "-out", pkcs1.toString());
        return new Server(cert, key, pkcs1);
    }

    /** An RSA key pair as PEM files (PKCS#8 private key, SubjectPublicKeyInfo public key). */
    public record RsaPair(Path privateKey, Path publicKey) {
    }

    public RsaPair rsaPair(String name) throws IOException, InterruptedException {
        Path priv = dir.resolve(name + "-private.pem");
        Path pub = dir.resolve(name + "-public.pem");
        run("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", priv.toString());
        run("pkey", "-in", priv.toString(), "-pubout", "-out", pub.toString());
        return new RsaPair(priv, pub);
    }

    private void run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(openssl.toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + new String(out, StandardCharsets.UTF_8));
        }
    }
}
