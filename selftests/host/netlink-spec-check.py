#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The YNL spec, the uapi header and the counters' names agree: attribute,
command and counter values and names.  Usage: HEADER SPEC NAMES_H (the
one table of names, drivers/net/teredo/names.h, which the module,
teredo-nl and the ip plugin share); prints each mismatch, exits 1 if
any."""
import re, sys, yaml
hdr, spec, names_h = sys.argv[1:4]
h = open(hdr).read()
def enum_body(first):
    m = re.search(r'enum[^{]*\{([^}]*?\b' + first + r'\b[^}]*)\}', h, re.S)
    return m.group(1)
def enum_values(first):
    names = re.findall(r'^\s*([A-Z_0-9]+)\s*(?:=\s*(\d+))?\s*,', enum_body(first), re.M)
    out, v = {}, 0
    for n, val in names:
        if val: v = int(val)
        out[n] = v; v += 1
    return out
s = yaml.safe_load(open(spec))
fails = []
def cmp(set_name, first, prefix, skip=()):
    vals = enum_values(first)
    v = 0; spec_vals = {}
    for a in next(x for x in s['attribute-sets'] if x['name'] == set_name)['attributes']:
        v = a.get('value', v + 1 if spec_vals else 1)
        spec_vals[a['name']] = v
    for n, val in vals.items():
        if n.startswith('__') or n in skip: continue
        key = n[len(prefix):].lower().replace('_', '-')
        if spec_vals.get(key) != val:
            fails.append(f'{set_name}: {n}={val} but spec {key}={spec_vals.get(key)}')
    return len(vals)
cmp('dev', 'TEREDO_A_UNSPEC', 'TEREDO_A_', skip=('TEREDO_A_UNSPEC',))
cmp('peer', 'TEREDO_PEER_A_UNSPEC', 'TEREDO_PEER_A_', skip=('TEREDO_PEER_A_UNSPEC',))
cmp('mark', 'TEREDO_MARK_A_UNSPEC', 'TEREDO_MARK_A_', skip=('TEREDO_MARK_A_UNSPEC',))
ops = enum_values('TEREDO_CMD_UNSPEC')
spec_ops = {}
v = 0
for o in s['operations']['list']:
    v = o.get('value', v + 1); spec_ops[o['name']] = v
for n, val in ops.items():
    if n in ('TEREDO_CMD_UNSPEC',) or n.startswith('__'): continue
    key = n[len('TEREDO_CMD_'):].lower().replace('_', '-')
    if spec_ops.get(key) != val: fails.append(f'op {n}={val} but spec {spec_ops.get(key)}')
# counters: names in the header comments, the spec (value = enum + 1), names.h
body = enum_body('TEREDO_STAT_RX_PACKETS')
stats = re.findall(r'^\s*(TEREDO_STAT_[A-Z0-9_]+),\s*/\*\s*([a-z0-9_]+)', body, re.M)
spec_stats = [a['name'].replace('-', '_') for a in next(x for x in s['attribute-sets'] if x['name'] == 'stats')['attributes']]
c_stats = dict(re.findall(r'\[(TEREDO_STAT_[A-Z0-9_]+)\]\s*=\s*"([a-z0-9_]+)"', open(names_h).read()))
for i, (en, name) in enumerate(stats):
    if i >= len(spec_stats) or spec_stats[i] != name: fails.append(f'spec stats[{i+1}] != {name}')
    if c_stats.get(en) != name: fails.append(f'names.h name of {en} is {c_stats.get(en)}, header says {name}')
if len(spec_stats) != len(stats): fails.append(f'spec has {len(spec_stats)} counters, header {len(stats)}')
for f in fails: print(f)
sys.exit(1 if fails else 0)
