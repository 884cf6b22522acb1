package dev.binlogrelay.bench.measure;

import dev.binlogrelay.server.Relay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Which relay code was measured: where relay-server came from (a jar in the local Maven repository or the
 * reactor's classes) and when it was built, and the source tree's commit and uncommitted changes outside bench/.
 * Other work may land between two bench runs, so every result says which build it measured.
 */
public final class RelayBuild {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    private RelayBuild() {
    }

    public static String describe(Path sourceTree) {
        StringBuilder s = new StringBuilder();
        try {
            Path code = Path.of(Relay.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            s.append("relay-server from ").append(code.getFileName()).append(" built ")
                    .append(TIME.format(Files.getLastModifiedTime(code).toInstant()));
        } catch (IOException | java.net.URISyntaxException | RuntimeException e) {
            s.append("relay-server from an unknown place");
        }
        String head = git(sourceTree, "log", "-1", "--format=%h %ci");
        if (head != null) {
            String dirty = git(sourceTree, "status", "--porcelain", "--", "relay-core", "storage", "relay-server");
            int changed = dirty == null || dirty.isBlank() ? 0 : dirty.split("\n").length;
            s.append("; source tree at commit ").append(head).append(changed == 0 ? ""
                    : " with " + changed + " uncommitted change(s) in relay-core, storage or relay-server");
        }
        return s.toString();
    }

    private static String git(Path dir, String... args) {
        try {
            List<String> cmd = new java.util.ArrayList<>(List.of("git", "-C", dir.toString()));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return null;
            }
            return out;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
