import json,sys,collections
d=json.load(open(sys.argv[1]))
ev=d['recording']['events']
def fr(f): 
    m=f['method']; return m['type']['name'].split('.')[-1]+'.'+m['name']
def dur(s):
    # ISO-8601 like PT0.001S
    s=s.replace('PT','').replace('S','')
    if 'M' in s: m,sec=s.split('M'); return float(m)*60+float(sec or 0)
    return float(s)
by=collections.defaultdict(list)
for e in ev: by[e['type']].append(e)
gc=by['jdk.GarbageCollection']
print('GC cycles',len(gc),'sum of cycle durations %.3f s'%sum(dur(e['values']['duration']) for e in gc), 'sum of pauses %.4f s'%sum(dur(e['values']['sumOfPauses']) for e in gc), set(e['values']['name'] for e in gc), collections.Counter(e['values']['cause'] for e in gc))
pp=by['jdk.GCPhasePause']; print('GC phase pauses',len(pp),'total %.4f s'%sum(dur(e['values']['duration']) for e in pp))
al=by['jdk.ObjectAllocationSample']; tot=sum(e['values']['weight'] for e in al)
print('allocation samples',len(al),'total weight %.1f MB'%(tot/1e6))
c=collections.Counter(); s=collections.Counter(); th=collections.Counter()
for e in al:
    v=e['values']; w=v['weight']; c[v['objectClass']['name']]+=w
    st=v.get('stackTrace') or {}; frames=st.get('frames') or []
    s[' <- '.join(fr(f) for f in frames[:4])]+=w
    th[(v.get('eventThread') or {}).get('javaName','?')]+=w
for k,w in c.most_common(8): print('  type %5.1f%% %8.1f MB %s'%(100*w/tot,w/1e6,k))
for k,w in s.most_common(10): print('  stack %5.1f%% %8.1f MB %s'%(100*w/tot,w/1e6,k[:230]))
import re
thn=collections.Counter()
for k,w in th.items(): thn[re.sub(r'[-#\d]+$','',k)]+=w
for k,w in thn.most_common(6): print('  thread %5.1f%% %s'%(100*w/tot,k))
for typ in ['jdk.ExecutionSample','jdk.NativeMethodSample']:
    xs=by[typ]; print(typ,len(xs))
    c=collections.Counter()
    for e in xs:
        v=e['values']; frames=(v.get('stackTrace') or {}).get('frames') or []
        t=re.sub(r'[-#\d]+$','',(v.get('sampledThread') or {}).get('javaName','?'))
        c[t+': '+' <- '.join(fr(f) for f in frames[:3])]+=1
    for k,n in c.most_common(int(sys.argv[2]) if len(sys.argv)>2 else 8): print('  %4d %s'%(n,k[:220]))
