package dev.binlogrelay.server.wiring;

import dev.binlogrelay.core.auth.Pem;
import dev.binlogrelay.server.config.ConfigException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Reads the PEM files the config names (paths as given: relative ones resolve against the working directory,
 * like data_dir). A missing, unreadable or malformed file is a {@link ConfigException} naming the key.
 */
public final class PemFiles {
    private PemFiles() {
    }

    public static List<X509Certificate> certificates(String path, String key) {
        String pem = read(path, key);
        try {
            return Pem.certificates(pem);
        } catch (IllegalArgumentException e) {
            throw bad(key, path, e.getMessage());
        }
    }

    public static PrivateKey privateKey(String path, String key) {
        String pem = read(path, key);
        try {
            return Pem.privateKey(pem);
        } catch (IllegalArgumentException e) {
            throw bad(key, path, e.getMessage());
        }
    }

    public static PublicKey publicKey(String path, String key) {
        String pem = read(path, key);
        try {
            return Pem.publicKey(pem);
        } catch (IllegalArgumentException e) {
            throw bad(key, path, e.getMessage());
        }
    }

    private static String read(String path, String key) {
        if (path == null || path.isBlank()) {
            throw new ConfigException("missing key '" + key + "'");
        }
        try {
            return Files.readString(Path.of(path), StandardCharsets.ISO_8859_1);
        } catch (IOException | RuntimeException e) {
            throw bad(key, path, "cannot be read (" + e.getMessage() + ")");
        }
    }

    static ConfigException bad(String key, String path, String why) {
        return new ConfigException("bad value for '" + key + "': " + path + ": " + why);
    }
}
