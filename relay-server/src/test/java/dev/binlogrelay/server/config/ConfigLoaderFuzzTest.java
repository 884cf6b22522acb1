package dev.binlogrelay.server.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.binlogrelay.core.auth.Pem;
import dev.binlogrelay.server.wiring.ConfigCheck;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Fuzzes the config loader on arbitrary YAML text: {@link ConfigLoader#parse} then {@link ConfigLoader#validate}, which
 * is what {@link ConfigLoader#load} does with a file's bytes, then the wiring's {@link ConfigCheck#check}, which
 * {@code run} and {@code import} add.
 *
 * <p>Contract: a config or {@link ConfigException} (one line naming the key), nothing else.
 *
 * <p>Validation touches the file system (it creates data_dir and reads the PEM files the config names), so before
 * validating, every path in the parsed config that names a file is pointed into this test's sandbox: a data
 * directory, or one of a few PEM files (RSA private key, public key, empty, garbage) or a missing file, picked by the
 * path's hash. A path that {@link Path#of} refuses is left as it is (nothing is touched before that refusal).
 *
 * <p>Inputs: {@code src/test/resources/dev/binlogrelay/server/config/ConfigLoaderFuzzTestInputs/yaml/}:
 * {@code conf/relay.yaml} and configs from the config tests.
 */
class ConfigLoaderFuzzTest {
    private static final Path SANDBOX;
    private static final List<Path> FILES;

    static {
        try {
            SANDBOX = Files.createTempDirectory("config-fuzz");
            KeyPair rsa = Pem.generateRsa(1024);
            FILES = List.of(
                    Files.writeString(SANDBOX.resolve("rsa-private.pem"), Pem.encode("PRIVATE KEY", rsa.getPrivate().getEncoded())),
                    Files.writeString(SANDBOX.resolve("rsa-public.pem"), Pem.encode(rsa.getPublic())),
                    Files.writeString(SANDBOX.resolve("empty.pem"), ""),
                    Files.writeString(SANDBOX.resolve("garbage.pem"), "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n"),
                    SANDBOX.resolve("missing.pem"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest
    @Timeout(10)
    void yaml(byte[] yaml) {
        Path file = SANDBOX.resolve("relay.yaml");
        try {
            RelayConfig c = ConfigLoader.parse(yaml, file);
            assertNotNull(c);
            intoSandbox(c);
            ConfigLoader.validate(c, file);
            ConfigCheck.check(c, file);
        } catch (ConfigException e) {
            assertNotNull(e.getMessage());
        }
    }

    private static void intoSandbox(RelayConfig c) {
        if (usable(c.dataDir)) {
            c.dataDir = SANDBOX.resolve("data-" + Math.floorMod(c.dataDir.hashCode(), 3)).toString();
        }
        if (c.downstream != null) {
            RelayConfig.Downstream d = c.downstream;
            d.rsaPrivateKey = pem(d.rsaPrivateKey);
            d.rsaPublicKey = pem(d.rsaPublicKey);
            if (d.tls != null) {
                d.tls.cert = pem(d.tls.cert);
                d.tls.key = pem(d.tls.key);
                d.tls.ca = pem(d.tls.ca);
            }
        }
        if (c.upstream != null) {
            c.upstream.sslCa = pem(c.upstream.sslCa);
            c.upstream.serverPublicKey = pem(c.upstream.serverPublicKey);
        }
    }

    private static String pem(String path) {
        return usable(path) ? FILES.get(Math.floorMod(path.hashCode(), FILES.size())).toString() : path;
    }

    /** A path the loader would go on to use (blank ones are refused as missing; bad ones fail in Path.of). */
    private static boolean usable(String path) {
        if (path == null || path.isBlank()) {
            return false;
        }
        try {
            Path.of(path);
            return true;
        } catch (InvalidPathException e) {
            return false;
        }
    }
}
