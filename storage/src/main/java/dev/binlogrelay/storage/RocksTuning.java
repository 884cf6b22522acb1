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
 *     can choose ZSTD at the bottom ({@code storage.rocksdb.bottommost_compression: zstd}) and pay that.
 *     No compression at the bottom as well (so compaction could move files down instead of recompressing them)
 *     did not pay either: {@code StoreCpuBenchmark 256 6000 16 4} (random rows, runs 3-4) stored at 2.8-4.0
 *     CPU-s/GB vs 2.9-3.7, and in the bench ({@code --scenarios ingest,fanout --binlog-size 256M --relay-sync none
 *     --relay-storage rocksdb.bottommost_compression=none}, load average 6-8) ingest over the files after the
 *     first was 76 and 68 MB/s vs 120-188 with LZ4, one reader 196 and 347 MB/s vs 423-487.</li>
 * <li><b>Large values.</b> Events of 1 MiB and more (big row events, 20 MiB and up) go to blob files: they
 *     are written once and never rewritten by compaction, and they do not make one SST block 20 MiB. Chunks
 *     (up to 256 KiB) stay in SSTs: with a 64 KiB minimum they went to blob files, and storing did not get cheaper
 *     ({@code StoreCpuBenchmark 256 6000 16 4}, runs 2-4 of 4 runs each: 3.1-7.2 CPU-s/GB vs 2.7-6.4 in SSTs;
 *     keys only grow, so compaction mostly moves SSTs down instead of rewriting them), with 32 KiB 4.0-6.2; blob
 *     compression none instead of LZ4 changed nothing measurable. Segment loads stop at an upper bound ({@link ChunkReader}); before
 *     they did, each load also fetched the next value, which cost a blob read per load (one reader 1.9-2.1
 *     CPU-s/GB with chunks in blob files, 1.1-1.5 with the bound). A purge drops the SSTs of purged files, and
 *     RocksDB then deletes every blob file older than the oldest one a live SST refers to ({@code PurgeTest}).</li>
 * <li><b>WAL on, fsynced before a group is visible</b> (unless {@link SyncMode#NONE}): between
 *     acknowledging a group and flushing the memtable, the WAL is the only durable copy; unlike Kafka Streams
 *     we have no changelog to rebuild from. Point-in-time recovery replays the WAL up to the last intact batch,
 *     so a torn tail drops only a group that was never acknowledged. Either each append is one synced batch
 *     (a burst of transactions from one network read is one batch, so one fsync), or, with a sync interval,
 *     appends are unsynced writes and {@link WalSyncer} fsyncs the WAL once per interval before publishing
 *     what it covers: the fsync, not the write, is what costs on most disks.</li>
 * <li><b>Several column families, one WAL.</b> The small families (meta, files) change with every group and
 *     would keep old WAL files alive; {@code max_total_wal_size} forces their flush so the WAL stays bounded.</li>
 * <li><b>Reads from far behind</b> load segments (256 KiB then, 1 MiB now) that readers share ({@link SegmentCache}): one
 *     iterator and seek per segment, with a readahead of the same size, and the shared block cache; the hot
 *     tail is served from the Caffeine cache instead (see {@link TailCache}). Measured with
 *     {@code StoreCpuBenchmark 256 6000 16 4} on the loaded 2-core VM (one reader 0.97-1.53 CPU-s/GB as is, once
 *     2.20), none of these moved the reader beyond that noise, so none is set: 256 KiB blocks
 *     (1.15-1.60), {@code fill_cache=false} (1.08-1.42), {@code async_io} (1.15-1.94), a 1 MiB readahead
 *     (1.27-1.94). Checksums stay verified: without, 0.82-1.75, not worth giving up detecting a bad block.</li>
 * <li><b>CRC32C is computed in software.</b> rocksdbjni 11.8.1's {@code librocksdbjni-linux64.so} is a portable
 *     build: its disassembly has no {@code crc32} or {@code pclmulqdq} instruction, and the store's RocksDB
 *     {@code LOG} says {@code Fast CRC32 supported: Not supported on x86} on a CPU with SSE4.2 and PCLMUL. Every
 *     WAL record, block and blob is checksummed by the table-driven code; only a RocksDB built with
 *     {@code -msse4.2 -mpclmul} (not the Maven Central jar) would take that cost off.</li>
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
