package dev.binlogrelay.server.it;

import dev.binlogrelay.server.Relay;
import dev.binlogrelay.testkit.MariaDbServer;
import dev.binlogrelay.testkit.Peers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 2 acceptance: {@code mariadb-binlog --read-from-remote-server --raw --to-last-log} through the relay
 * writes files byte-identical to the same command against the primary.
 */
class MariadbBinlogRawIT {
    @TempDir
    Path tmp;

    @Test
    void rawDumpThroughTheRelayIsByteIdentical() throws Exception {
        Optional<Path> tool = Peers.tool("mariadb-binlog", "mysqlbinlog");
        Peers.require(tool.isPresent(), "mariadb-binlog", "apt-get install -y mariadb-client");
        try (MariaDbServer primary = MariaDbServer.builder().name("primary").serverId(1).start()) {
            String firstFile = primary.binlogFiles().get(0);
            RelayHarness.createAppTable(primary);
            StockReplicasIT.workload0(primary, 40);
            primary.execute("FLUSH BINARY LOGS");
            StockReplicasIT.workload0(primary, 40);
            primary.execute("FLUSH BINARY LOGS");
            StockReplicasIT.workload0(primary, 10);
            try (Relay relay = Relay.start(RelayHarness.config(primary, tmp.resolve("relay"), 9001, "earliest"))) {
                // the primary writes a BINLOG_CHECKPOINT some time after a commit, on its own: the two dumps are
                // compared only when the primary's binlog did not change around the relay's dump
                Path direct = null;
                Path relayed = null;
                for (int attempt = 1; attempt <= 5 && relayed == null; attempt++) {
                    RelayHarness.awaitCaughtUp(relay, primary, Duration.ofSeconds(60));
                    Path before = dump(tool.get(), primary.port(), firstFile, tmp.resolve("direct" + attempt));
                    Path through = dump(tool.get(), relay.port(), firstFile, tmp.resolve("relayed" + attempt));
                    Path after = dump(tool.get(), primary.port(), firstFile, tmp.resolve("again" + attempt));
                    if (sameFiles(before, after)) {
                        direct = before;
                        relayed = through;
                    }
                }
                assertTrue(relayed != null, "the primary's binlog kept changing during 5 dumps through the relay");
                List<String> directFiles = names(direct);
                assertEquals(3, directFiles.size(), "files written from the primary: " + directFiles);
                assertEquals(directFiles, names(relayed));
                for (String name : directFiles) {
                    byte[] expected = Files.readAllBytes(direct.resolve(name));
                    byte[] actual = Files.readAllBytes(relayed.resolve(name));
                    assertTrue(expected.length > 4, name + " is empty");
                    assertArrayEquals(expected, actual, () -> name + " differs (" + expected.length + " vs " + actual.length
                            + " bytes); events from the primary: " + events(expected) + "; through the relay: " + events(actual));
                }
            }
        }
    }

    static Path dump(Path tool, int port, String firstFile, Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        List<String> cmd = new ArrayList<>(List.of(tool.toString(), "--no-defaults", "--read-from-remote-server", "--raw",
                "--to-last-log", "--host=127.0.0.1", "--port=" + port, "--user=" + RelayHarness.USER,
                "--password=" + RelayHarness.PASSWORD, "--result-file=" + dir + "/", firstFile));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolveSibling(dir.getFileName() + ".log").toFile()).start();
        // through the relay mariadb-binlog reads over TLS (its client takes TLS when offered), the primary is plain TCP:
        // hundreds of MiB on a loaded 2-core machine take a while
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("mariadb-binlog on port " + port + " did not finish within 180 s");
        }
        String log = Files.readString(dir.resolveSibling(dir.getFileName() + ".log"));
        assertEquals(0, p.exitValue(), "mariadb-binlog on port " + port + " failed: " + log);
        return dir;
    }

    static boolean sameFiles(Path a, Path b) throws IOException {
        List<String> names = names(a);
        if (!names.equals(names(b))) {
            return false;
        }
        for (String name : names) {
            if (!java.util.Arrays.equals(Files.readAllBytes(a.resolve(name)), Files.readAllBytes(b.resolve(name)))) {
                return false;
            }
        }
        return true;
    }

    /** "TYPE@position" of every event of a binlog file, for failure messages. */
    static List<String> events(byte[] file) {
        List<String> out = new ArrayList<>();
        int pos = 4;
        while (pos + 19 <= file.length) {
            byte[] header = java.util.Arrays.copyOfRange(file, pos, pos + 19);
            long size = dev.binlogrelay.core.binlog.Events.u32(header, 9);
            out.add(dev.binlogrelay.core.binlog.EventType.name(dev.binlogrelay.core.binlog.Events.type(header)) + "@" + pos);
            if (size < 19) {
                break;
            }
            pos += (int) size;
        }
        return out;
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
