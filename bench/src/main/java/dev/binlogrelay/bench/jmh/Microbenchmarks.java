package dev.binlogrelay.bench.jmh;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs the JMH microbenchmarks of this package (packet codec, checksum rewriting, store append and read) with
 * settings that fit in a few minutes (1 fork, 2 × 1 s warm-up, 3 × 1 s measurement), writes JMH's JSON to
 * {@code bench/results-raw/jmh-<UTC timestamp>.json} and prints a Markdown table for {@code bench/RESULTS.md}.
 * Any JMH command-line option overrides those settings (e.g. {@code -f 3 -wi 5 -i 5}, or a regular expression
 * to run only some benchmarks).
 *
 * <pre>
 * mvn -q -DskipTests install
 * mvn -q -pl bench exec:exec@jmh                                  # everything, ~3 minutes
 * mvn -q -pl bench exec:exec@jmh -Djmh.args="Checksum -f 3"       # JMH options
 * </pre>
 */
public final class Microbenchmarks {
    private Microbenchmarks() {
    }

    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args);
        String stamp = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path dir = Path.of("").toAbsolutePath();
        dir = Files.exists(dir.resolve("bench").resolve("pom.xml")) ? dir.resolve("bench") : dir;
        Path json = dir.resolve("results-raw").resolve("jmh-" + stamp + ".json");
        Files.createDirectories(json.getParent());
        OptionsBuilder defaults = new OptionsBuilder();
        if (cli.getIncludes().isEmpty()) {
            defaults.include(Microbenchmarks.class.getPackageName() + "\\..*Benchmark");
        }
        Options options = defaults.forks(1).warmupIterations(2).warmupTime(TimeValue.seconds(1))
                .measurementIterations(3).measurementTime(TimeValue.seconds(1))
                .jvmArgsAppend("-Xmx1g")
                .resultFormat(ResultFormatType.JSON).result(json.toString())
                .parent(cli).build();
        Collection<RunResult> results = new Runner(options).run();
        System.out.println();
        System.out.println("JMH results: " + json);
        System.out.println();
        System.out.print(markdown(results));
    }

    /** One row per benchmark and parameter set: score ± error and unit. */
    static String markdown(Collection<RunResult> results) {
        Map<String, String> rows = new TreeMap<>();
        for (RunResult r : results) {
            var p = r.getParams();
            String name = p.getBenchmark().substring(p.getBenchmark().lastIndexOf('.', p.getBenchmark().lastIndexOf('.') - 1) + 1);
            StringBuilder params = new StringBuilder();
            for (String k : p.getParamsKeys()) {
                params.append(params.length() == 0 ? "" : ", ").append(k).append('=').append(p.getParam(k));
            }
            var s = r.getPrimaryResult();
            rows.put(name + " " + params, String.format(Locale.ROOT, "| %s | %s | %.3f ± %.3f | %s |%n", name, params,
                    s.getScore(), s.getScoreError(), s.getScoreUnit()));
        }
        StringBuilder md = new StringBuilder("| benchmark | parameters | score | unit |\n|---|---|---:|---|\n");
        rows.values().forEach(md::append);
        return md.toString();
    }
}
