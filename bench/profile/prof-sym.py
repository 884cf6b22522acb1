import sys,re,bisect
syms=[]
for l in open('/tmp/prof-rdb/symsS.txt'):
    m=re.match(r'^([0-9a-f]+) (?:([0-9a-f]+) )?([A-Za-z]) (.*)$', l.rstrip('\n'))
    if not m or m.group(3) not in 'tTwW': continue
    syms.append((int(m.group(1),16),int(m.group(2) or '0',16) or 1<<30,m.group(4)))
addrs=[a for a,_,_ in syms]
pat=re.compile(r'^(\s*)([0-9a-f]+) \[unknown\] \((/tmp/librocksdbjni[^)]*)\)$')
for line in sys.stdin:
    m=pat.match(line.rstrip('\n'))
    if m:
        o=int(m.group(2),16); i=bisect.bisect_right(addrs,o)-1
        a,sz,n=syms[i]
        n=re.sub(r'\(.*$','',n)
        if o>=a+sz:
            nxt=re.sub(r'\(.*$','',syms[i+1][2]) if i+1<len(syms) else '?'
            n=f'rocksdb-local-fn[before {nxt}]'
        line=f'{m.group(1)}{m.group(2)} {n} ({m.group(3)})\n'
    sys.stdout.write(line)
