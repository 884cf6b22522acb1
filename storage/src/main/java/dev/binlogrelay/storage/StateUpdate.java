package dev.binlogrelay.storage;

import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.gtid.MariaGtidPosition;
import dev.binlogrelay.core.gtid.MysqlGtidSet;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Changes to the {@link StoreState} written in the same atomic batch as a group ({@link BinlogWriter.Group}),
 * so that what the store remembers never runs ahead of, or behind, the events it holds: the GTID state after the
 * group, and the group's file's format description with its checksum algorithm. Immutable; build one with
 * {@link #builder()}. How each item is kept on disk is {@link StoreState}'s business.
 */
public final class StateUpdate {
    public static final StateUpdate NONE = new StateUpdate(Map.of(), null);

    /** Metadata entries, by {@link StoreState}'s keys. */
    private final Map<String, String> meta;
    /** The format description of the group's file, or null. */
    private final byte[] formatDescription;

    private StateUpdate(Map<String, String> meta, byte[] formatDescription) {
        this.meta = meta;
        this.formatDescription = formatDescription;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Raw metadata entries, for the store's own tests of the write path. */
    static StateUpdate ofMeta(Map<String, String> meta) {
        return new StateUpdate(Map.copyOf(meta), null);
    }

    Map<String, String> meta() {
        return meta;
    }

    byte[] formatDescription() {
        return formatDescription;
    }

    public boolean isEmpty() {
        return meta.isEmpty() && formatDescription == null;
    }

    @Override
    public String toString() {
        return "StateUpdate" + meta.keySet() + (formatDescription == null ? "" : " + format description");
    }

    /** Collects the changes of one group; later calls for the same item win. */
    public static final class Builder {
        private final Map<String, String> meta = new LinkedHashMap<>();
        private byte[] formatDescription;

        private Builder() {
        }

        /** The MariaDB GTID position after the group. */
        public Builder mariaGtidPosition(MariaGtidPosition position) {
            meta.put(StoreState.GTID_POS, position.toString());
            return this;
        }

        /** The MariaDB GTID position just before the first GTID group the store holds (written once). */
        public Builder mariaStartPosition(MariaGtidPosition position) {
            meta.put(StoreState.START_GTID_POS, position.toString());
            return this;
        }

        /** The MySQL GTID set executed up to the end of the group. */
        public Builder mysqlExecuted(MysqlGtidSet executed) {
            meta.put(StoreState.GTID_EXECUTED, executed.toString());
            return this;
        }

        /** The checksum algorithm of the upstream's binlog (the group's file's format description says it). */
        public Builder checksum(ChecksumAlgorithm checksum) {
            meta.put(StoreState.CHECKSUM, checksum.name());
            return this;
        }

        /** The server version of the binlog's writer (an imported file's format description says it). */
        public Builder serverVersion(String version) {
            meta.put(StoreState.SERVER_VERSION, Objects.requireNonNull(version, "version"));
            return this;
        }

        /** The server id of the binlog's writer. */
        public Builder serverId(long serverId) {
            meta.put(StoreState.SERVER_ID, Long.toString(serverId));
            return this;
        }

        /** The format description event of the group's file (without its in-use flag), kept with the file's record. */
        public Builder formatDescription(byte[] event) {
            this.formatDescription = Arrays.copyOf(event, event.length);
            return this;
        }

        /** Adds every change of {@code other}; its items win. */
        public Builder merge(StateUpdate other) {
            meta.putAll(other.meta);
            if (other.formatDescription != null) {
                formatDescription = other.formatDescription;
            }
            return this;
        }

        public StateUpdate build() {
            if (meta.isEmpty() && formatDescription == null) {
                return NONE;
            }
            return new StateUpdate(Collections.unmodifiableMap(new LinkedHashMap<>(meta)), formatDescription);
        }
    }
}
