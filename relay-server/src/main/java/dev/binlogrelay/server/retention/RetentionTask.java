package dev.binlogrelay.server.retention;

import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.storage.BinlogFileInfo;
import dev.binlogrelay.storage.BinlogPosition;
import dev.binlogrelay.storage.BinlogStore;
import dev.binlogrelay.storage.CanalCursors;
import dev.binlogrelay.storage.PurgeResult;
import dev.binlogrelay.storage.StoredEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Enforces {@code storage.retention} on a store: purges whole binlog files, oldest first, while the store holds
 * more than {@code max_bytes} or the oldest file's last event is older than {@code max_age}. The newest file is
 * never purged, and neither is a file a reader is in (the store stops before it; see
 * {@link BinlogStore#purgeFilesBefore}), so the limits can be exceeded while a reader lags.
 *
 * <p>A file's age is the header timestamp of its last stored event (the primary's clock, in seconds): a file is
 * older than {@code max_age} once that lies before now minus {@code max_age}.
 *
 * <p>Threading: checks run on one scheduler thread of its own, every {@code check_interval} and right after the
 * upstream starts a new file (a commit listener notices the new file and only schedules a check).
 */
public final class RetentionTask implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RetentionTask.class);

    /** Told about every purge, on the retention thread (metrics). */
    public interface Listener {
        void purged(List<BinlogFileInfo> files, long bytes);
    }

    /** One purged file and why. */
    public record Purge(BinlogFileInfo file, String reason) {
    }

    private final BinlogStore store;
    private final RetentionPolicy policy;
    private final Clock clock;
    private final Listener listener;
    private final ScheduledExecutorService scheduler;
    private final Runnable commitListener = this::onCommit;
    private final AtomicBoolean checkScheduled = new AtomicBoolean();
    private volatile String newestSeen;
    /** The file a reader held the purge at last time: logged once, not at every check. */
    private String heldAtReader;
    /** How long a Canal client not seen holds its file ({@code canal.hold_files_for}); null: Canal is off. */
    private volatile Duration canalHold;
    /** The hold logged last time: logged once, not at every check. */
    private String heldAtCanal;
    /** Silent Canal clients whose file was let go, each warned about once. */
    private final java.util.Set<String> warnedCanal = new java.util.HashSet<>();

    public RetentionTask(BinlogStore store, RetentionPolicy policy, Clock clock, Listener listener) {
        this.store = Objects.requireNonNull(store, "store");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.listener = listener == null ? (files, bytes) -> { } : listener;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "relay-retention");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Makes the checks keep every file a Canal client (stored in {@link BinlogStore#canalCursors()}) has not
     * acknowledged, as long as the client was seen within {@code hold}; past that its file may go, with a warning.
     */
    public void holdForCanalClients(Duration hold) {
        this.canalHold = Objects.requireNonNull(hold, "hold");
    }

    /** Starts the periodic checks (the first one right away). */
    public void start() {
        long ms = Math.max(1, policy.checkInterval().toMillis());
        newestSeen = store.committedEnd().map(BinlogPosition::file).orElse(null);
        store.addCommitListener(commitListener);
        scheduler.scheduleWithFixedDelay(this::checkSafely, 0, ms, TimeUnit.MILLISECONDS);
        log.info("retention on store {}: {}", store.directory(), policy);
    }

    /** Writer thread, after every commit: schedules a check when the upstream started a new file. Never blocks. */
    private void onCommit() {
        String newest = store.committedEnd().map(BinlogPosition::file).orElse(null);
        if (newest != null && !newest.equals(newestSeen)) {
            newestSeen = newest;
            if (checkScheduled.compareAndSet(false, true)) {
                try {
                    scheduler.execute(this::checkSafely);
                } catch (RejectedExecutionException closing) {
                    checkScheduled.set(false);
                }
            }
        }
    }

    private void checkSafely() {
        checkScheduled.set(false);
        try {
            check();
        } catch (RuntimeException e) {
            if (!store.isClosed()) {
                log.warn("retention check on store {} failed; will retry in {}", store.directory(), policy.checkInterval(), e);
            }
        }
    }

    /**
     * One check: purges the oldest files that break a limit, oldest first, stopping at the first that does not.
     *
     * @return the files purged, with the reason for each
     */
    public synchronized List<Purge> check() {
        List<BinlogFileInfo> files = store.files();
        if (!policy.limits() || files.size() < 2) {
            return List.of();
        }
        long total = files.stream().mapToLong(BinlogFileInfo::storedBytes).sum();
        Instant oldestAllowed = policy.maxAge().map(age -> clock.instant().minus(age)).orElse(null);
        List<Purge> due = new ArrayList<>();
        for (BinlogFileInfo f : files.subList(0, files.size() - 1)) {
            String reason = reason(f, total, oldestAllowed);
            if (reason == null) {
                break;
            }
            due.add(new Purge(f, reason));
            total -= f.storedBytes();
        }
        due = canalHold(files, due);
        if (due.isEmpty()) {
            return List.of();
        }
        PurgeResult result = store.purgeFilesBefore(files.get(due.size()).name());
        List<Purge> done = new ArrayList<>();
        for (BinlogFileInfo f : result.purged()) {
            String reason = due.stream().filter(p -> p.file().name().equals(f.name())).map(Purge::reason).findFirst().orElse("");
            done.add(new Purge(f, reason));
            log.info("retention: purged {} ({} bytes): {}", f.name(), f.storedBytes(), reason);
        }
        reportReader(result.stoppedAtReader());
        if (!done.isEmpty()) {
            listener.purged(result.purged(), result.bytes());
        }
        return List.copyOf(done);
    }

    /**
     * The files of {@code due} that no Canal client holds: those before the oldest file a client seen within
     * {@code canal.hold_files_for} has not acknowledged. Clients not seen for longer hold nothing; purging their
     * file is logged as a warning naming them.
     */
    private List<Purge> canalHold(List<BinlogFileInfo> files, List<Purge> due) {
        Duration hold = canalHold;
        if (hold == null || due.isEmpty()) {
            return due;
        }
        List<String> names = files.stream().map(BinlogFileInfo::name).toList();
        long seenAfter = clock.millis() - hold.toMillis();
        int keepFrom = due.size();
        String holder = null;
        for (CanalCursors.Cursor c : store.canalCursors().all()) {
            int at = names.indexOf(c.file());
            if (at < 0 || at >= due.size()) {
                continue;
            }
            String who = "Canal client " + c.destination() + "/" + c.clientId();
            if (c.seenMillis() >= seenAfter) {
                if (at < keepFrom) {
                    keepFrom = at;
                    holder = who;
                }
            } else if (warnedCanal.add(who + " " + c.file())) {
                log.warn("retention: {} has not acknowledged {} and was last seen at {}, longer ago than "
                        + "canal.hold_files_for {}: the file may be purged; the client will get error 400 when it comes back",
                        who, c.file(), Instant.ofEpochMilli(c.seenMillis()), hold);
            }
        }
        String heldAt = holder == null ? null : names.get(keepFrom);
        if (heldAt != null && !heldAt.equals(heldAtCanal)) {
            log.info("retention: {} has not acknowledged {} yet; that file and the later ones stay (canal.hold_files_for {})",
                    holder, heldAt, hold);
        }
        heldAtCanal = heldAt;
        return due.subList(0, keepFrom);
    }

    /** Why {@code f} should go, or null if it may stay. */
    private String reason(BinlogFileInfo f, long total, Instant oldestAllowed) {
        if (policy.maxBytes().isPresent() && total > policy.maxBytes().getAsLong()) {
            return "the relay holds " + total + " bytes, more than storage.retention.max_bytes " + policy.maxBytes().getAsLong();
        }
        if (oldestAllowed != null) {
            Optional<StoredEvent> last = store.lastEvent(f.name());
            if (last.isPresent()) {
                Instant written = Instant.ofEpochSecond(Events.timestamp(last.get().bytes()));
                if (written.isBefore(oldestAllowed)) {
                    return "its last event was written at " + written + ", longer ago than storage.retention.max_age "
                            + policy.maxAge().orElseThrow();
                }
            }
        }
        return null;
    }

    private void reportReader(Optional<BinlogFileInfo> reader) {
        String file = reader.map(BinlogFileInfo::name).orElse(null);
        if (file != null && !file.equals(heldAtReader)) {
            log.info("retention: a reader is in {}; that file and the later ones stay until it moves on", file);
        }
        heldAtReader = file;
    }

    /** Stops the checks and waits for one in progress. */
    @Override
    public void close() {
        store.removeCommitListener(commitListener);
        scheduler.shutdownNow();
        try {
            if (!scheduler.awaitTermination(30, TimeUnit.SECONDS)) {
                log.warn("retention check on store {} still running after 30 s", store.directory());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
