package dev.binlogrelay.storage;

import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompactionStyle;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;

/**
 * RocksDB options for an append-only binlog.
 *
 * <ul>
 * <li>Keys arrive in increasing order (file sequence, position), so level compaction mostly moves whole
 *     files without rewriting; no bloom filters are needed for the event iterators, which seek and scan.</li>
 * <li>LZ4 on upper levels keeps the write path cheap; ZSTD at the bottom, where old binlog sits longest,
 *     shrinks row events (highly repetitive) by several times.</li>
 * <li>The WAL stays on and is fsynced per group (see {@link StoreOptions#syncEachGroup()}): it is the only
 *     durable copy of a group between its acknowledgement and the memtable flush.</li>
 * <li>A 64 MiB memtable absorbs large events (20 MiB rows) without stalls; the block cache serves readers far
 *     behind the tail, whose reads otherwise go to disk.</li>
 * </ul>
 */
final class RocksTuning implements AutoCloseable {
    final DBOptions db;
    final ColumnFamilyOptions events;
    final ColumnFamilyOptions small;
    private final LRUCache blockCache;

    RocksTuning(StoreOptions options) {
        db = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
                .setMaxBackgroundJobs(2).setKeepLogFileNum(4).setMaxTotalWalSize(256L << 20);
        blockCache = new LRUCache(options.blockCacheBytes());
        BlockBasedTableConfig table = new BlockBasedTableConfig().setBlockCache(blockCache).setBlockSize(64 * 1024);
        events = new ColumnFamilyOptions().setCompactionStyle(CompactionStyle.LEVEL)
                .setWriteBufferSize(options.writeBufferBytes()).setMaxWriteBufferNumber(3)
                .setCompressionType(CompressionType.LZ4_COMPRESSION)
                .setBottommostCompressionType(CompressionType.ZSTD_COMPRESSION)
                .setTableFormatConfig(table);
        BlockBasedTableConfig smallTable = new BlockBasedTableConfig().setBlockCache(blockCache)
                .setFilterPolicy(new BloomFilter(10));
        small = new ColumnFamilyOptions().setWriteBufferSize(8L << 20).setTableFormatConfig(smallTable)
                .setCompressionType(CompressionType.LZ4_COMPRESSION);
    }

    @Override
    public void close() {
        events.close();
        small.close();
        db.close();
        blockCache.close();
    }
}
