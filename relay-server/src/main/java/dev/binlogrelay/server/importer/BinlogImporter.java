package dev.binlogrelay.server.importer;

import dev.binlogrelay.core.binlog.BinlogFile;
import dev.binlogrelay.core.binlog.BinlogFormatException;
import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.core.binlog.FormatDescription;
import dev.binlogrelay.core.binlog.GroupTracker;
import dev.binlogrelay.core.binlog.MariaGtidEvent;
import dev.binlogrelay.core.gtid.MariaGtid;
import dev.binlogrelay.storage.BinlogStore;
import dev.binlogrelay.storage.EventToStore;
import dev.binlogrelay.storage.MariaGtidRef;
import dev.binlogrelay.storage.StateUpdate;
import dev.binlogrelay.storage.gtid.GtidState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads recorded binlog files into the store under their own names and positions, so the relay can serve
 * them with no upstream. A file is checked whole (magic, event chain, CRCs, whole transactions) before any of
 * it is stored; a broken file is refused naming the file, the offset and the reason.
 *
 * <p>Runs as the store's single writer: not at the same time as an upstream client on the same store.
 */
public final class BinlogImporter {
    private static final Logger log = LoggerFactory.getLogger(BinlogImporter.class);

    private final BinlogStore store;

    public BinlogImporter(BinlogStore store) {
        this.store = store;
    }

    /** What one import stored. */
    public record Imported(String file, int events, int groups, long bytes) {
    }

    /**
     * Imports a file. A file the store holds already is refused, except the store's newest file when this copy
     * has grown past what the store holds (a copy of a binlog still being written): its new transactions are
     * appended, after checking that the held part ends on a transaction boundary of this copy and that the last
     * held event is the same here.
     */
    public Imported importFile(Path path) throws IOException {
        String name = path.getFileName().toString();
        BinlogFile file = BinlogFile.parse(name, Files.readAllBytes(path));
        List<List<EventToStore>> groups = groups(file);
        store.syncNow(); // the files and GTID state read below are the published ones: the previous file's too
        var held = store.file(name);
        if (held.isPresent()) {
            groups = newPart(file, groups, held.get());
        }
        byte[] fde = FormatDescription.withoutInUseFlag(file.formatDescription());
        StateUpdate fileState = StateUpdate.builder().formatDescription(fde).checksum(file.checksum())
                .serverVersion(FormatDescription.serverVersion(fde)).serverId(Events.serverId(fde)).build();
        GtidState gtids = GtidState.load(store.state());
        long bytes = 0;
        for (int i = 0; i < groups.size(); i++) {
            List<EventToStore> group = groups.get(i);
            StateUpdate.Builder state = StateUpdate.builder().merge(i == 0 ? fileState : StateUpdate.NONE);
            gtids.apply(group, file.checksum(), state);
            store.writer().appendGroup(name, group, state.build());
            gtids.written();
            bytes += group.stream().mapToLong(e -> e.bytes().length).sum();
        }
        store.syncNow(); // imported means durable and visible
        int events = groups.stream().mapToInt(List::size).sum();
        log.info("imported {}: {} events in {} groups, {} bytes", name, events, groups.size(), bytes + 4);
        return new Imported(name, events, groups.size(), bytes + 4);
    }

    private List<List<EventToStore>> newPart(BinlogFile file, List<List<EventToStore>> groups, dev.binlogrelay.storage.BinlogFileInfo held) {
        String name = file.name();
        var files = store.files();
        if (!files.get(files.size() - 1).name().equals(name)) {
            throw new BinlogFormatException(name + ": the store already holds a file of that name");
        }
        long end = 4 + file.events().stream().mapToLong(e -> e.length).sum();
        if (end <= held.size()) {
            throw new BinlogFormatException(name + ": the store already holds a file of that name, up to offset " + held.size()
                    + ", and this copy is no longer");
        }
        int from = 0;
        while (from < groups.size() && groups.get(from).get(0).position() < held.size()) {
            from++;
        }
        if (from == groups.size() || groups.get(from).get(0).position() != held.size()) {
            throw new BinlogFormatException(name + " at offset " + held.size() + ": the store holds " + name
                    + " up to there, which is not a transaction boundary of this copy");
        }
        var last = store.lastEvent(name).orElseThrow(() -> new BinlogFormatException(name + ": the store holds no event of it"));
        List<EventToStore> before = groups.get(from - 1);
        EventToStore mine = before.get(before.size() - 1);
        if (mine.position() != last.position() || !java.util.Arrays.equals(mine.bytes(), last.bytes())) {
            throw new BinlogFormatException(name + " at offset " + last.position() + ": the event there differs from the one the"
                    + " store holds; this is not a longer copy of the same file");
        }
        log.info("{}: the store holds it up to offset {}; appending the rest", name, held.size());
        return groups.subList(from, groups.size());
    }

    /** Splits the file into the groups the store makes visible at once; a file must not end inside one. */
    private static List<List<EventToStore>> groups(BinlogFile file) {
        GroupTracker tracker = new GroupTracker();
        ChecksumAlgorithm checksum = ChecksumAlgorithm.NONE;
        List<List<EventToStore>> groups = new ArrayList<>();
        List<EventToStore> current = new ArrayList<>();
        long pos = 4;
        for (byte[] raw : file.events()) {
            int type = Events.type(raw);
            byte[] e = raw;
            if (type == EventType.FORMAT_DESCRIPTION) {
                checksum = FormatDescription.checksum(raw);
                e = FormatDescription.withoutInUseFlag(raw);
            }
            int flags = tracker.classify(e, checksum);
            MariaGtidRef gtid = null;
            if (type == EventType.MARIA_GTID) {
                MariaGtid g = MariaGtidEvent.gtid(e);
                gtid = new MariaGtidRef(g.domainId(), g.serverId(), g.sequence());
            }
            current.add(new EventToStore(pos, e, flags, gtid));
            if ((flags & GroupTracker.END) != 0) {
                groups.add(current);
                current = new ArrayList<>();
            }
            pos += e.length;
        }
        if (!current.isEmpty()) {
            throw new BinlogFormatException(file.name() + " at offset " + current.get(0).position()
                    + ": the file ends inside a transaction (" + current.size() + " events without their commit)");
        }
        return groups;
    }
}
