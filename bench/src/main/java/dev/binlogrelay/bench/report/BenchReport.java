package dev.binlogrelay.bench.report;

import dev.binlogrelay.bench.measure.MachineInfo;

import dev.binlogrelay.bench.scenario.ScenarioResult;

import java.util.List;

/**
 * Everything one bench invocation measured, as written to {@code results.json}.
 *
 * @param command   how the bench was started (the documented Maven command with these arguments)
 * @param date      UTC start time
 * @param relayBuild which relay code ran (see RelayBuild)
 */
public record BenchReport(String date, String mode, String command, MachineInfo machine, String mariadbVersion,
                          String relayBuild,
                          Binlog binlog, Settings settings, List<RunResult> runs, List<PointSummary> summary,
                          List<ScenarioResult> scenarios) {

    /**
     * The binlog both servers serve.
     *
     * @param bytes      sum of the binary log files' sizes
     * @param events     events a whole-binlog dump carries from the files (ANNOTATE_ROWS left out)
     * @param eventBytes their bytes
     * @param workload   what the transactions are, for the report ("mixed row inserts, updates and deletes")
     */
    public record Binlog(long bytes, int files, long events, long eventBytes, long loadRounds, double loadSeconds,
                         double relayIngestSeconds, String workload) {
    }

    /** How the runs were made. */
    public record Settings(List<Integer> readers, int repetitions, int readerThreads, String relayJvmOptions,
                           String mariadbOptions, boolean relayJfr) {
    }

    public boolean allCorrect() {
        return runs.stream().allMatch(RunResult::correct) && scenarios.stream().allMatch(ScenarioResult::correct);
    }

    /** The scenario called {@code name}, or null when it did not run. */
    public ScenarioResult scenario(String name) {
        return scenarios.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
    }
}
