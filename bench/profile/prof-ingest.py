"""Groups `perf script -F comm,tid,time,ip,sym,dso --pid <relay pid>` output of an ingesting relay into cost groups
(first match wins). Usage: python3 prof-ingest.py perf.txt. Used for RESULTS.md, "By hand, 2026-12-08 02:55"."""
import sys, re, collections
import os
exec(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'prof-agg.py')).read().split("if __name__")[0])
# frames as names without their +0x offsets
ss=[dict(s, stack=[re.sub(r'\+0x[0-9a-f]+$', '', f) for f, _ in s['stack']]) for s in samples(sys.argv[1])]

t0=min(s['t'] for s in ss); t1=max(s['t'] for s in ss)
n=len(ss); print('samples',n, 'span s', round(t1-t0,2))
c=collections.Counter(re.sub(r'[-#\d]+$','',s['comm']) for s in ss)
print(' threads:', ', '.join(f'{k} {100*v/n:.1f}%' for k,v in c.most_common(12)))
def has(st,*keys): return any(any(k in f for k in keys) for f in st)
cats=[
 ('JIT compiler threads', lambda s,name: 'Compiler' in name or 'C1 Comp' in name or 'C2 Comp' in name),
 ('GC threads', lambda s,name: name.startswith('Z') or name=='GC Thread'),
 ('syncer: fsync of event files and WAL', lambda s,name: has(s['stack'],'fdatasync','fsync','SyncWAL','syncWal','FileDispatcherImpl.force','__x64_sys_fsync','__x64_sys_fdatasync')),
 ('syncer: RocksDB batch write', lambda s,name: name.startswith('wal-sync') and has(s['stack'],'rocksdb','RocksDB.write','WriteBatch')),
 ('syncer: publish (hot cache, table, commit signal)', lambda s,name: name.startswith('wal-sync')),
 ('event bytes to the event files (copy + pwrite)', lambda s,name: has(s['stack'],'ChunkBuilder','EventFiles.write','pwrite','__x64_sys_pwrite64')),
 ('RocksDB batch built/written by the writer', lambda s,name: has(s['stack'],'rocksdb','WriteBatch','RocksDB')),
 ('socket read syscalls (kernel copy from the socket)', lambda s,name: has(s['stack'],'tcp_recvmsg','sock_read_iter','__x64_sys_read','SocketDispatcher.read')),
 ('event checks: CRC32', lambda s,name: has(s['stack'],'CRC32','crc32','updateBytes')),
 ('ingest: decode, group, GTID state (BinlogIngester, IngestBatch, GroupAppender)', lambda s,name: has(s['stack'],'BinlogIngester','IngestBatch','GroupAppender','GtidState','GroupTracker')),
 ('Netty pipeline, packet framing, copies into event arrays', lambda s,name: has(s['stack'],'io.netty','UpstreamConnection','PacketFramer','Frame')),
 ('start-up: class loading, linking', lambda s,name: has(s['stack'],'ClassLoader','SystemDictionary','ClassFileParser','JVM_DefineClass','Verifier','link_class')),
 ('thread hand-offs, wake-ups, epoll', lambda s,name: has(s['stack'],'futex','EventFD','epoll_wait','pthread_cond','Unsafe.park','Unsafe.unpark','schedule')),
 ('interpreter', lambda s,name: has(s['stack'][:1],'Interpreter')),
]
cc=collections.Counter()
for s in ss:
    name=re.sub(r'[-#\d]+$','',s['comm'])
    for k,f in cats:
        if f(s,name): cc[k]+=1; break
    else: cc['other ('+name+')']+=1
for k,v in cc.most_common(30): print(f'{100*v/n:6.1f}% {v:6d} {k}')
