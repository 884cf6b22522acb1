package dev.binlogrelay.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/** Appends one dated section per bench invocation to {@code bench/RESULTS.md}. */
public final class ResultsMarkdown {
    private static final String HEADER = "# Benchmark results\n\n"
            + "Sections are appended by the harness (`dev.binlogrelay.bench.Bench`), newest last. Raw numbers of each\n"
            + "invocation are in `results-raw/<timestamp>/results.json`, `runs.csv` and one CSV per scenario.\n\n"
            + "```sh\nmvn -q -DskipTests install\nmvn -q -pl bench exec:java@bench -Dexec.args=\"--mode full\"\n"
            + "mvn -q -pl bench exec:exec@jmh\n```\n";

    private ResultsMarkdown() {
    }

    /** The section for {@code report}; {@code note} (may be null) is added as said. */
    public static String section(BenchReport r, String chart, String note) {
        BenchReport.Binlog b = r.binlog();
        StringBuilder s = new StringBuilder();
        boolean fanOut = !r.summary().isEmpty();
        java.util.List<String> names = new java.util.ArrayList<>();
        if (fanOut) {
            names.add("Fan-out");
        }
        r.scenarios().forEach(sc -> names.add(switch (sc.name()) {
            case "catchup" -> "catch-up";
            case "behind" -> "behind reader";
            default -> sc.name();
        }));
        String title = String.join(", ", names);
        s.append(String.format(Locale.ROOT, "%n## %s, %s (%s mode, %.0f MiB binlog)%n%n",
                title.substring(0, 1).toUpperCase(Locale.ROOT) + title.substring(1), r.date(), r.mode(), b.bytes() / 1048576.0));
        s.append("- Machine: ").append(r.machine().describe()).append('\n');
        s.append("- Servers: MariaDB ").append(r.mariadbVersion()).append(" (").append(r.settings().mariadbOptions())
                .append("); relay in its own JVM (`").append(r.settings().relayJvmOptions()).append("`)")
                .append(r.settings().relayJfr() ? ", recording JFR" : "").append('\n');
        s.append("- Relay build: ").append(r.relayBuild()).append('\n');
        s.append("- Command: `").append(r.command()).append("`\n");
        s.append(String.format(Locale.ROOT, "- Binlog: %,d bytes in %d files of %s; loaded in %.0f s, stored by the relay in %.0f s more. A dump carries %,d of its events "
                        + "(%,d bytes): without dump flag 2 both servers leave out the ANNOTATE_ROWS events (the SQL "
                        + "text of each statement)%s%n", b.bytes(), b.files(), b.workload(), b.loadSeconds(), b.relayIngestSeconds(), b.events(),
                b.eventBytes(), r.runs().isEmpty() ? "" : String.format(Locale.ROOT, "; %,d bytes per reader on the wire "
                        + "with packet headers, fake rotates and EOF", r.runs().get(0).bytesPerReader())));
        if (!fanOut) {
            if (note != null && !note.isBlank()) {
                s.append("- Note: ").append(note.strip()).append('\n');
            }
            r.scenarios().forEach(sc -> s.append('\n').append(sc.markdown()));
            return s.toString();
        }
        s.append(String.format(Locale.ROOT, "- Each of N raw readers dumps the whole binlog at once (COM_BINLOG_DUMP, "
                        + "non-blocking) on %d selector threads in the bench JVM; MB = 10^6 bytes on the wire, aggregate "
                        + "over all readers; CPU = user + system seconds of the serving process (relay JVM or mariadbd) "
                        + "from the first dump request to the last EOF (\"others'\" = the rest of the machine meanwhile); "
                        + "unrecorded warm-up passes first; median of %d run(s) per point%n",
                r.settings().readerThreads(), r.settings().repetitions()));
        s.append("- Correctness: ").append(r.runs().stream().allMatch(RunResult::correct)
                ? "every reader of every run got every event of the files (count, bytes and an order-sensitive "
                + "fingerprint of their CRC32s) and an EOF; the first reader of each run recomputed every CRC32"
                : "FAILED, see results.json: some readers did not get the whole binlog").append('\n');
        if (note != null && !note.isBlank()) {
            s.append("- Note: ").append(note.strip()).append('\n');
        }
        s.append('\n');
        s.append("| readers | relay MB/s | primary MB/s | relay / primary | relay CPU s (system) | primary CPU s (system) "
                + "| relay CPU s/GB | primary CPU s/GB | bench readers' CPU s (relay / primary runs) "
                + "| others' CPU s (relay / primary runs) |\n");
        s.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (PointSummary p : r.summary()) {
            s.append(String.format(Locale.ROOT, "| %d | %.0f | %.0f | %.2f× | %.1f (%.1f) | %.1f (%.1f) | %.2f | %.2f | %.1f / %.1f | %.1f / %.1f |%n",
                    p.readers(), p.relay().mbPerSecond(), p.primary().mbPerSecond(), p.throughputRatio(),
                    p.relay().cpuSeconds(), p.relay().systemSeconds(), p.primary().cpuSeconds(), p.primary().systemSeconds(), p.relay().cpuSecondsPerGb(),
                    p.primary().cpuSecondsPerGb(), p.relay().readerCpuSeconds(), p.primary().readerCpuSeconds(),
                    p.relay().otherCpuSeconds(), p.primary().otherCpuSeconds()));
        }
        if (chart != null) {
            s.append("\n![fan-out throughput and CPU against readers](").append(chart).append(")\n");
        }
        r.scenarios().forEach(sc -> s.append('\n').append(sc.markdown()));
        return s.toString();
    }

    /** Appends the section, creating the file with a header if needed. */
    public static void append(Path file, BenchReport r, String chart, String note) throws IOException {
        if (!Files.exists(file)) {
            Files.writeString(file, HEADER);
        }
        Files.writeString(file, section(r, chart, note), StandardOpenOption.APPEND);
    }
}
