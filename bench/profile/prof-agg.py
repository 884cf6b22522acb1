import sys, re, collections
def samples(path):
    cur=None
    for line in open(path, errors='replace'):
        line=line.rstrip('\n')
        if not line: 
            if cur: yield cur
            cur=None; continue
        if not line.startswith('\t') and not line.startswith(' '):
            m=re.match(r'^(.*?)\s+(\d+)\s+(?:\[\d+\]\s+)?([\d.]+):', line)  # with or without [cpu], event name after
            if m: cur={'comm':m.group(1).strip(),'tid':int(m.group(2)),'t':float(m.group(3)),'stack':[]}
            continue
        m=re.match(r'^\s*([0-9a-f]+)\s+(.*?)\s+\((.*)\)\s*$', line)
        if m and cur is not None: cur['stack'].append((m.group(2), m.group(3)))
    if cur: yield cur
if __name__=='__main__':
    path=sys.argv[1]; t0=float(sys.argv[2]) if len(sys.argv)>2 else 0; t1=float(sys.argv[3]) if len(sys.argv)>3 else 1e18
    ss=[s for s in samples(path) if t0<=s['t']<=t1]
    n=len(ss); print('samples',n, 'time', min(s['t'] for s in ss), max(s['t'] for s in ss))
    c=collections.Counter(re.sub(r'[-#\d]+$','',s['comm']) for s in ss)
    for k,v in c.most_common(25): print(f'{100*v/n:6.2f}% {v:6d} thread {k}')
    c=collections.Counter((s['stack'][0][0] if s['stack'] else '?')+' | '+(s['stack'][0][1].split('/')[-1] if s['stack'] else '') for s in ss)
    for k,v in c.most_common(60): print(f'{100*v/n:6.2f}% {v:6d} leaf {k}')
