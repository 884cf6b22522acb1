import sys, re, collections
import os
exec(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'prof-agg.py')).read().split("if __name__")[0])
def anyf(st, rx):
    r=re.compile(rx); return any(r.search(s) for s,d in st)
def rocks(st): return any('librocksdbjni' in d or re.search(r'\borg\.rocksdb\.', s) for s,d in st)
RULES=[
 ('checksum: CRC32C of WAL records (RocksDB, software)', lambda st: anyf(st, r'crc32c|Crc32c') and anyf(st, r'log::Writer')),
 ('checksum: CRC32C of blob records (RocksDB, software)', lambda st: anyf(st, r'crc32c|Crc32c') and anyf(st, r'Blob')),
 ('checksum: CRC32C other (RocksDB, software)', lambda st: anyf(st, r'crc32c|Crc32c')),
 ('checksum: XXH3 block checksums (RocksDB)', lambda st: anyf(st, r'VerifyBlockChecksum|ComputeBuiltinChecksum|XXH')),
 ('checksum: Java CRC32 (binlog event checksums)', lambda st: anyf(st, r'java\.util\.zip\.CRC32|updateBytes|CRC32|Events\.crc|verifyCrc|crcMatches')),
 ('socket write (syscall + kernel TCP)', lambda st: anyf(st, r'tcp_sendmsg|sock_sendmsg|sock_write_iter|SocketDispatcher\.write|writev0|IOUtil\.write')),
 ('socket read (syscall + kernel TCP)', lambda st: anyf(st, r'tcp_recvmsg|sock_read_iter|SocketDispatcher\.read|IOUtil\.read')),
 ('RocksDB WAL append (copy + write(2) to page cache)', lambda st: rocks(st) and anyf(st, r'log::Writer|WriteToWAL')),
 ('RocksDB memtable insert', lambda st: rocks(st) and anyf(st, r'InsertInto|MemTable')),
 ('RocksDB WriteBatch put (JNI copy into batch)', lambda st: rocks(st) and anyf(st, r'WriteBatch\.put|putDirectJni|kv_op|WriteBatch::Put')),
 ('RocksDB write (other)', lambda st: rocks(st) and anyf(st, r'DBImpl::Write|RocksDB\.write')),
 ('RocksDB read: blob file pread + copy', lambda st: rocks(st) and anyf(st, r'BlobFileReader|BlobSource|BlobFetcher')),
 ('RocksDB read: pread of SST blocks into prefetch buffer (kernel copy)', lambda st: rocks(st) and anyf(st, r'FilePrefetchBuffer::Read|RandomAccessFileReader::Read')),
 ('RocksDB read: block copy out of prefetch buffer + block cache insert', lambda st: rocks(st) and anyf(st, r'ReadBlockContents|PutDataBlockToCache|LRUCache')),
 ('RocksDB blob file read (pread + copy)', lambda st: rocks(st) and anyf(st, r'BlobFileReader|BlobSource|BlobFetcher')),
 ('RocksDB value copy to Java (JNI)', lambda st: rocks(st) and anyf(st, r'value0|valueDirect0|SetByteArrayRegion|NewByteArray')),
 ('ChunkBuilder (events copied into chunks)', lambda st: anyf(st, r'ChunkBuilder')),
 ('RocksDB iterator/seek/block read (other native)', lambda st: rocks(st)),
 ('per-event copy out of a chunk (+ its allocation, page faults)', lambda st: anyf(st, r'storage\.Chunk\.|StoredEvent\.<init>')),
 ('ChunkBuilder (events copied into chunks)', lambda st: anyf(st, r'ChunkBuilder')),
 ('TailCache.put (hot-tail cache)', lambda st: anyf(st, r'TailCache')),
 ('copy into the send batch (DumpWriter)', lambda st: anyf(st, r'DumpWriter\.(event|single)|FramedPackets\.append|AbstractByteBuf\.writeBytes')),
 ('thread hand-offs / wake-ups (eventfd, futex, epoll)', lambda st: anyf(st, r'EventFD|pthread_cond|futex|epoll_wait|EPoll\.wait|IOUtil\.drain|Unsafe\.park|Unsafe\.unpark')),
 ('GC work in Java threads (barriers, allocation slow path)', lambda st: anyf(st, r'^Z[A-Z]|ZBarrier|ZMark|ZRelocate|MemAllocator|ZObjectAllocator|ZPage|ZHeap')),
 ('interpreted code, no component frame (JIT warm-up)', lambda st: bool(st) and st[0][0]=='Interpreter'),
 ('Netty pipeline / upstream decode / DumpSession loop (other Java)', lambda st: anyf(st, r'io\.netty\.|UpstreamConnection|DumpSession|StoreCursor|SegmentCache|ChunkReader')),
]
def thread_cat(comm, st):
    if comm.startswith('C2 Compiler') or comm.startswith('C1 Compiler') or anyf(st, r'CompileBroker::compiler_thread_loop'): return 'JIT compiler threads (C1/C2)'
    if comm.startswith('Z') or anyf(st, r'^ZWorker|^ZDirector|^ZDriver|ZThread::run_service|ZWorkers'): return 'GC threads (ZGC)'
    if comm.startswith('JFR') or comm=='Attach Listener' or anyf(st, r'JfrThreadSampler|JfrRecorderThread|JfrPeriodic|jdk\.jfr\.'): return 'profiler overhead (JFR threads, attach)'
    if comm.startswith('rocksdb'): 
        if anyf(st, r'crc32c|Crc32c'): return 'RocksDB background: CRC32C (software) in flush/compaction'
        return 'RocksDB background: flush/compaction (other)'
    return None
def classify(st):
    for name,f in RULES:
        if f(st): return name
    return 'other'
specs=sys.argv[1:]
ss=[]
for sp in specs:
    p=sp.split('@'); f=p[0]; xs=list(samples(f))
    if len(p)>1 and p[1]=='ingest':
        t0=min(s['t'] for s in xs if s['comm'].startswith('upstream')); t1=min(s['t'] for s in xs if s['comm'].startswith('segment'))
    elif len(p)>1 and p[1]=='ingest-late':
        t0=min(s['t'] for s in xs if s['comm'].startswith('upstream')); t1=min(s['t'] for s in xs if s['comm'].startswith('segment')); t0=(t0+t1)/2
    elif len(p)>1:
        t0,t1=map(float,p[1].split(':'))
    else: t0,t1=0,1e18
    sel=[s for s in xs if t0<=s['t']<=t1]
    for s in sel: s['stack']=[(re.sub(r'\(.*$','',a),b) for a,b in s['stack']]
    print(f'# {f}: window {t1-t0 if t1<1e17 else 0:.2f} s, {len(sel)} samples')
    ss+=sel
n=len(ss)
cats=collections.Counter(); pf=collections.Counter(); bythread=collections.defaultdict(collections.Counter); leafs=collections.defaultdict(collections.Counter)
for s in ss:
    c=thread_cat(s['comm'], s['stack']) or classify(s['stack'])
    th=re.sub(r'[-#\d]+$','',s['comm'])
    if th in ('java',':','Thread'): th='(unnamed: '+th+')'
    cats[c]+=1; bythread[th][c]+=1
    if anyf(s['stack'], r'exc_page_fault'): pf[c]+=1
    lf=s['stack'][0] if s['stack'] else ('?','?')
    leafs[c][lf[0][:90]]+=1
print(f'total {n} samples')
print('| share | samples | cost | (page-fault part) |'); print('|---:|---:|---|---:|')
for k,v in cats.most_common(): print(f'| {100*v/n:.1f}% | {v} | {k} | {100*pf[k]/n:.1f}% |')
print()
for th,cc in sorted(bythread.items(), key=lambda x:-sum(x[1].values())):
    tot=sum(cc.values())
    if tot<n*0.005: continue
    print(f'thread {th}: {100*tot/n:.1f}%  '+'; '.join(f'{k} {100*v/n:.1f}%' for k,v in cc.most_common(7)))
print()
for c,_ in cats.most_common(12):
    print('==',c, ' | '.join(f'{100*v/n:.1f}% {k}' for k,v in leafs[c].most_common(4)), flush=True)
