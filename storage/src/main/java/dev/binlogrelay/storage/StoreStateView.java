package dev.binlogrelay.storage;

import dev.binlogrelay.core.gtid.MariaGtidPosition;
import dev.binlogrelay.core.gtid.MysqlGtidSet;

import java.util.Optional;

/**
 * What readers may know of {@link StoreState}: everything the store remembers besides the binlog, without the
 * setters, which belong to the writer's side ({@link BinlogStore#state()}).
 */
public interface StoreStateView {
    /** A random id given to the store when it was created; a store deleted and made again has a new one. */
    String storeId();

    /** The upstream's (or an imported file's) server version. */
    Optional<String> serverVersion();

    Optional<String> serverId();

    Optional<Long> gtidDomainId();

    Optional<String> serverUuid();

    Optional<String> gtidMode();

    boolean gtidModeOn();

    Optional<String> checksum();

    MariaGtidPosition mariaGtidPosition();

    Optional<MariaGtidPosition> mariaStartPosition();

    MysqlGtidSet mysqlExecuted();

    Optional<MysqlGtidSet> mysqlExecutedRecorded();

    /** The format description event of {@code file}, as stored with the file's record. */
    Optional<byte[]> formatDescription(String file);

    /** The upstream's global variables as its SHOW GLOBAL VARIABLES last listed them, by name; empty if never learned. */
    java.util.Map<String, String> upstreamVariables();

    /** What the store was filled from. */
    StoreState.Origin origin();
}
