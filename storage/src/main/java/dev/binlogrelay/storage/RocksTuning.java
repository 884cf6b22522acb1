package dev.binlogrelay.storage;

import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompactionStyle;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.WALRecoveryMode;
import org.rocksdb.WriteOptions;

/**
 * RocksDB options for an append-only binlog. Owns every native options object; closed after the database.
 *
 * <ul>
 * <li><b>Sequential keys.</b> Event keys (file sequence, position) only ever grow, so each flush produces an
 *     SST whose range lies after all others and level compaction mostly moves files down without rewriting
 *     them. Dynamic level sizing (the default) keeps the level count small.</li>
 * <li><b>No bloom filter on events.</b> Readers seek and scan; a whole-key bloom filter does not help seeks.
 *     The GTID index does point lookups ({@code findMariaGtid}), so it gets a 10-bit bloom filter.</li>
 * <li><b>Compression: none above the bottom level, LZ4 at the bottom, by default.</b> Flushing a memtable
 *     compressed costs the write path: with LZ4 on the upper levels a fresh relay stored a 512 MiB binlog at
 *     192 MB/s (files after the first), uncompressed at 260 MB/s, on 2 cores where flushes share the CPU with
 *     the upstream thread. With dynamic level sizing, flushed data is compacted straight into the bottom level
 *     while the store is small, and the upper levels hold about a tenth of it once it is large, so little of the
 *     binlog stays uncompressed. Every byte a reader behind the hot tail gets is
 *     decompressed on the way out, so decompression speed bounds a single reader. With ZSTD at the bottom level
 *     (where binlog lands within seconds, the levels being sized dynamically) a profiled 512 MiB dump spent
 *     about 40 % of the relay's CPU in ZSTD's decoder, and one reader got 517 MB/s at 2.2 CPU-s/GB; with LZ4
 *     it got 855 MB/s at 1.4 CPU-s/GB, no compression 890 MB/s (bench/RESULTS.md). Operators short of disk
 *     can choose ZSTD at the bottom ({@code storage.rocksdb.bottommost_compression: zstd}) and pay that.</li>
 * <li><b>Large values.</b> Events of 1 MiB and more (big row events, 20 MiB and up) go to blob files: they
 *     are written once and never rewritten by compaction, and they do not make one SST block 20 MiB.</li>
 * <li><b>WAL on, fsynced before a group is visible</b> (unless {@link SyncMode#NONE}): between
 *     acknowledging a group and flushing the memtable, the WAL is the only durable copy; unlike Kafka Streams
 *     we have no changelog to rebuild from. Point-in-time recovery replays the WAL up to the last intact batch,
 *     so a torn tail drops only a group that was never acknowledged. Either each append is one synced batch
 *     (a burst of transactions from one network read is one batch, so one fsync), or, with a sync interval,
 *     appends are unsynced writes and {@link WalSyncer} fsyncs the WAL once per interval before publishing
 *     what it covers: the fsync, not the write, is what costs on most disks.</li>
 * <li><b>Several column families, one WAL.</b> The small families (meta, files) change with every group and
 *     would keep old WAL files alive; {@code max_total_wal_size} forces their flush so the WAL stays bounded.</li>
 * <li><b>Reads from far behind</b> load 256 KiB segments that readers share ({@link SegmentCache}): one
 *     iterator and seek per segment, with a readahead of the same size, and the shared block cache; the hot
 *     tail is served from the Caffeine cache instead (see {@link TailCache}).</li>
 * </ul>
 *
 * <p>Operators can change the compression of the upper and bottom levels, the events' write buffer and the block
 * cache ({@code storage.rocksdb} in the relay's config, carried by {@link StoreOptions}); the rest follows from the
 * workload above and is fixed here.
 */
final class RocksTuning implements AutoCloseable {
    /** Values at least this large are stored in blob files. */
    static final long MIN_BLOB_BYTES = 1L << 20;
    /** A segment's window: each segment load is one seek and one sequential read of about this much. */
    static final long READAHEAD_BYTES = 1L << SegmentCache.SHIFT;

    /** The WAL holds groups that no append fsynced: sync it at close. */
    final boolean unsyncedAppends;
    final DBOptions db;
    final ColumnFamilyOptions events;
    final ColumnFamilyOptions gtid;
    final ColumnFamilyOptions small;
    /** Writes of groups: synced per append, or not (no sync at all, or the interval's syncer syncs). */
    final WriteOptions groupWrite;
    /** Metadata written outside groups and crash clean-up: always synced. */
    final WriteOptions syncedWrite;
    /** Segment loads: short sequential scans with readahead. */
    final ReadOptions scan;
    /** Point reads and short seeks (boundary checks, GTID index). */
    final ReadOptions point;
    private final LRUCache blockCache;
    private final BloomFilter gtidBloom;

    RocksTuning(StoreOptions options) {
        unsyncedAppends = options.sync().unsyncedAppends();
        db = new DBOptions()
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                .setMaxBackgroundJobs(2)
                .setWalRecoveryMode(WALRecoveryMode.PointInTimeRecovery)
                .setMaxTotalWalSize(256L << 20)
                .setBytesPerSync(1L << 20)
                .setKeepLogFileNum(4)
                .setMaxLogFileSize(16L << 20);
        blockCache = new LRUCache(Math.max(1L << 20, options.blockCacheBytes()));
        CompressionType upper = StoreOptions.compressionType(options.compression());
        CompressionType bottom = StoreOptions.compressionType(options.bottommostCompression());

        // 64 KiB blocks: sequential reads, better compression ratio than the 4 KiB default
        BlockBasedTableConfig eventTable = new BlockBasedTableConfig().setBlockCache(blockCache).setBlockSize(64 * 1024);
        events = new ColumnFamilyOptions()
                .setCompactionStyle(CompactionStyle.LEVEL)
                .setLevelCompactionDynamicLevelBytes(true)
                .setWriteBufferSize(options.writeBufferBytes())
                .setMaxWriteBufferNumber(3)
                .setTargetFileSizeBase(64L << 20)
                .setCompressionType(upper)
                .setBottommostCompressionType(bottom)
                .setEnableBlobFiles(true)
                .setMinBlobSize(MIN_BLOB_BYTES)
                .setBlobFileSize(256L << 20)
                // blob files are written once and never compacted: they get the bottom level's compression
                .setBlobCompressionType(bottom)
                .setTableFormatConfig(eventTable);

        gtidBloom = new BloomFilter(10);
        gtid = new ColumnFamilyOptions()
                .setWriteBufferSize(8L << 20)
                .setCompressionType(upper)
                .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(blockCache).setFilterPolicy(gtidBloom));
        small = new ColumnFamilyOptions()
                .setWriteBufferSize(4L << 20)
                .setCompressionType(upper)
                .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(blockCache));

        groupWrite = new WriteOptions().setSync(!unsyncedAppends).setDisableWAL(false);
        syncedWrite = new WriteOptions().setSync(true).setDisableWAL(false);
        scan = new ReadOptions().setReadaheadSize(READAHEAD_BYTES);
        point = new ReadOptions();
    }

    @Override
    public void close() {
        scan.close();
        point.close();
        groupWrite.close();
        syncedWrite.close();
        events.close();
        gtid.close();
        small.close();
        db.close();
        gtidBloom.close();
        blockCache.close();
    }
}
