package dev.binlogrelay.server.it;

import dev.binlogrelay.storage.BinlogPosition;
import dev.binlogrelay.testkit.MariaDbServer;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Chooses when {@link CrashSafetyIT} SIGKILLs the relay, kills it, and tells from the next start's recovered end
 * where the kill landed. Every random choice comes from one seeded {@link Random}.
 *
 * <ul>
 * <li>{@link Phase#RUNNING}: a few milliseconds or up to 2.5 s into the live workload.</li>
 * <li>{@link Phase#BIG_EVENT}: while a 20 MiB row is inserted, a few milliseconds after its event reached the
 *     primary's binlog (the relay is then receiving or storing it), or shortly after it committed.</li>
 * <li>{@link Phase#ROTATE}: a few milliseconds after FLUSH BINARY LOGS began.</li>
 * <li>{@link Phase#STARTUP}: once while running, then again while the relay starts (before or after its store
 *     opened, or while it catches up).</li>
 * </ul>
 */
final class KillMoments implements AutoCloseable {
    /** Outcome that counts as a kill in the middle of a 20 MiB event. */
    static final String MID_BIG_EVENT = "20 MiB: in the primary's binlog, not yet stored by the relay";
    /** Outcomes that count as a kill in the middle of a rotate. */
    static final List<String> MID_ROTATE = List.of("rotate: the rotate event was stored, the new file not begun",
            "rotate: the rotate event was not stored");
    private static final Duration WAIT = Duration.ofSeconds(90);

    enum Phase { RUNNING, BIG_EVENT, ROTATE, STARTUP }

    /** What a kill did, and how to tell where it landed from the next start's recovered end. */
    record Kill(String what, Function<BinlogPosition, String> where) {
        Kill(String what) {
            this(what, recovered -> "");
        }
    }

    private final Random random;
    private final MariaDbServer primary;
    private final RelayProcess relay;
    private final LiveWorkload workload;
    private final Connection control;
    /** Polls the primary's SHOW MASTER STATUS while the controller's connection is busy. */
    private final Connection poll;
    private final ExecutorService controller = Executors.newSingleThreadExecutor(r -> new Thread(r, "kill-controller"));
    private final Map<String, Integer> outcomes = new TreeMap<>();
    private int kills;
    /** How long the last start took until the relay answered: STARTUP kills aim before and after that point. */
    private long lastStartMillis = 2000;

    KillMoments(Random random, MariaDbServer primary, RelayProcess relay, LiveWorkload workload, Connection control)
            throws java.sql.SQLException {
        this.random = random;
        this.primary = primary;
        this.relay = relay;
        this.workload = workload;
        this.control = control;
        this.poll = primary.connect();
    }

    /** Each special phase several times, in a seeded random order; the rest of the cycles kill a running relay. */
    List<Phase> plan(int cycles) {
        List<Phase> plan = new ArrayList<>();
        for (int i = 0; i < Math.max(1, cycles / 5); i++) {
            plan.addAll(List.of(Phase.BIG_EVENT, Phase.ROTATE, Phase.STARTUP));
        }
        while (plan.size() < cycles) {
            plan.add(Phase.RUNNING);
        }
        Collections.shuffle(plan, random);
        return plan;
    }

    /** The phase still to aim at, if no kill so far landed in the middle of a 20 MiB event or of a rotate. */
    Phase missingTarget() {
        if (!outcomes.containsKey(MID_BIG_EVENT)) {
            return Phase.BIG_EVENT;
        }
        if (MID_ROTATE.stream().noneMatch(outcomes::containsKey)) {
            return Phase.ROTATE;
        }
        return null;
    }

    void startTook(long millis) {
        lastStartMillis = millis;
    }

    int kills() {
        return kills;
    }

    Map<String, Integer> outcomes() {
        return outcomes;
    }

    /** Kills the relay at a moment chosen for {@code phase}; {@code aimed} narrows the timing to the phase's target. */
    Kill killIn(Phase phase, boolean aimed) throws Exception {
        return switch (phase) {
            case RUNNING -> {
                long delay = random.nextBoolean() ? 1 + random.nextInt(40) : 40 + random.nextInt(2500);
                Thread.sleep(delay);
                kill();
                yield new Kill("killed " + delay + " ms into the workload");
            }
            case BIG_EVENT -> duringBigEvent(aimed);
            case ROTATE -> duringRotate(aimed);
            case STARTUP -> duringStartup();
        };
    }

    /**
     * One of three moments, at random: up to 800 ms after the insert began; a few ms after the event reached the
     * primary's binlog (the relay is then receiving or storing it; what {@code aimed} uses); up to 150 ms after
     * the insert committed.
     */
    private Kill duringBigEvent(boolean aimed) throws Exception {
        BinlogPosition before = RelayHarness.masterStatus(primary);
        Future<String> insert = controller.submit(() -> workload.bigRow(control));
        int mode = aimed ? 1 : random.nextInt(3);
        long delay;
        String after;
        if (mode == 0) {
            delay = random.nextInt(800);
            after = "the 20 MiB insert began";
        } else if (mode == 1) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (binlogGrowthSince(before) < LiveWorkload.BIG_ROW_BYTES && !insert.isDone()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the 20 MiB row did not reach the primary's binlog within " + WAIT);
                }
                Thread.sleep(1);
            }
            delay = random.nextInt(aimed ? 25 : 60);
            after = "the 20 MiB event reached the primary's binlog";
        } else {
            insert.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            delay = random.nextInt(150);
            after = "the 20 MiB insert committed";
        }
        Thread.sleep(delay);
        BinlogPosition primaryAtKill = RelayProcess.masterStatus(poll).orElseThrow();
        kill();
        String gtid = insert.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        BinlogPosition[] range = transactionRange(before, gtid);
        boolean written = CrashSafetyIT.compare(primaryAtKill, range[1]) >= 0;
        return new Kill("killed " + delay + " ms after " + after + " (transaction " + gtid + " at " + range[0] + ".." + range[1] + ")",
                recovered -> bigEventOutcome(recovered, range, written));
    }

    private Kill duringRotate(boolean aimed) throws Exception {
        Future<?> flush = controller.submit(() -> {
            workload.flush(control);
            return null;
        });
        long delay = random.nextInt(aimed ? 20 : 50);
        Thread.sleep(delay);
        kill();
        flush.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        // the file this flush closed: the one before the newest (the workload rarely flushes right after)
        List<List<String>> logs = primary.query("SHOW BINARY LOGS");
        String closed = logs.get(logs.size() - 2).get(0);
        long closedSize = Long.parseLong(logs.get(logs.size() - 2).get(1));
        return new Kill("killed " + delay + " ms after FLUSH BINARY LOGS began to close " + closed + " at " + closedSize,
                recovered -> rotateOutcome(recovered, closed, closedSize));
    }

    private Kill duringStartup() throws Exception {
        long delay = 1 + random.nextInt(1500);
        Thread.sleep(delay);
        kill();
        relay.start();
        long again = random.nextInt((int) Math.max(200, 2 * lastStartMillis));
        Thread.sleep(again);
        kill();
        String log = relay.logOfThisRun();
        String stage = log.contains("dumping from") ? "while streaming from the primary"
                : log.contains(" opened: ") ? "after its store opened, before streaming" : "before its store opened";
        outcome("startup: killed " + stage);
        return new Kill("killed " + delay + " ms into the workload, then " + again + " ms into the restart, " + stage);
    }

    /** The recovered end must lie before the 20 MiB transaction or after it, never inside. */
    private String bigEventOutcome(BinlogPosition recovered, BinlogPosition[] range, boolean written) {
        String where;
        if (CrashSafetyIT.compare(recovered, range[0]) <= 0) {
            where = written ? "in the primary's binlog, not yet stored by the relay" : "not yet in the primary's binlog";
        } else if (CrashSafetyIT.compare(recovered, range[1]) >= 0) {
            where = "the relay had stored it";
        } else {
            throw new AssertionError("the store recovered to " + recovered + ", inside the 20 MiB transaction at "
                    + range[0] + ".." + range[1]);
        }
        outcome("20 MiB: " + where);
        return ": " + where;
    }

    private String rotateOutcome(BinlogPosition recovered, String closedFile, long closedSize) {
        String where;
        if (!recovered.file().equals(closedFile)) {
            where = CrashSafetyIT.compare(recovered, new BinlogPosition(closedFile, closedSize)) > 0
                    ? "the new file was begun" : "the relay was still in an older file";
        } else if (recovered.position() == closedSize) {
            where = "the rotate event was stored, the new file not begun";
        } else {
            where = "the rotate event was not stored";
        }
        outcome("rotate: " + where);
        return ": " + where;
    }

    /** Bytes the primary's binlog grew by since {@code from} (over all files, should the workload rotate meanwhile). */
    private long binlogGrowthSince(BinlogPosition from) throws java.sql.SQLException {
        long growth = -from.position();
        boolean counting = false;
        try (var st = poll.createStatement(); var rs = st.executeQuery("SHOW BINARY LOGS")) {
            while (rs.next()) {
                counting |= rs.getString(1).equals(from.file());
                growth += counting ? rs.getLong(2) : 0;
            }
        }
        return growth;
    }

    /** Start and end of the transaction with {@code gtid}, found in the primary's binlog from {@code from} on. */
    private BinlogPosition[] transactionRange(BinlogPosition from, String gtid) {
        List<String> files = primary.binlogFiles();
        for (String file : files.subList(files.indexOf(from.file()), files.size())) {
            long pos = file.equals(from.file()) ? from.position() : 4;
            BinlogPosition start = null;
            for (List<String> row : primary.query("SHOW BINLOG EVENTS IN '" + file + "' FROM " + pos)) {
                String type = row.get(2);
                if (start == null && type.equals("Gtid") && List.of(row.get(5).split(" ")).contains(gtid)) {
                    start = new BinlogPosition(file, Long.parseLong(row.get(1)));
                } else if (start != null && type.equals("Xid")) {
                    return new BinlogPosition[] {start, new BinlogPosition(file, Long.parseLong(row.get(4)))};
                }
            }
        }
        throw new AssertionError("transaction " + gtid + " not found in the primary's binlog after " + from);
    }

    private void kill() throws InterruptedException {
        relay.kill();
        kills++;
    }

    private void outcome(String what) {
        outcomes.merge(what, 1, Integer::sum);
    }

    @Override
    public void close() throws java.sql.SQLException {
        controller.shutdownNow();
        poll.close();
    }
}
