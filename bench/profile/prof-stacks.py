import sys,re,collections
import os
exec(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'prof-agg.py')).read().split("if __name__")[0])
path=sys.argv[1]; thr=sys.argv[2]; t0=float(sys.argv[3]); t1=float(sys.argv[4]); depth=int(sys.argv[5]); top=int(sys.argv[6]); grep=sys.argv[7] if len(sys.argv)>7 else None
def short(f):
    s=f[0]
    m=re.match(r'^(?:[\w.$<>\[\]]+ )?([\w.$<>]+)\(',s)
    if m: s=m.group(1); s='.'.join(s.split('.')[-2:])
    return s[:70]
c=collections.Counter(); n=0
for s in samples(path):
    if not (t0<=s['t']<=t1) or not s['comm'].startswith(thr): continue
    n+=1
    if not s['stack']: continue
    if grep and not any(re.search(grep,f[0]) for f in s['stack']): continue
    # java/native frames only (skip kernel) except leaf
    fr=[s['stack'][0]]+[f for f in s['stack'][1:] if 'kernel' not in f[1]]
    c[' <- '.join(short(f) for f in fr[:depth])]+=1
print('thread samples',n)
for k,v in c.most_common(top): print(f'{100*v/n:6.2f}% {k}')
