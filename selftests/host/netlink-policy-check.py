#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The kernel's hand-written netlink policies agree with the YNL spec,
attribute by attribute (issue 20 item 6): every attribute the kernel
accepts is in the spec's set with the same type, byte order, nesting and
checks (min, max, enum range, exact-len, max-len), and the spec states
no check the kernel does not make.  The policies are read from the C
sources (the TEREDO_CFG_POLICY macro expanded, as netlink.c does).
Usage: UAPI_H KERNEL_TEREDO_H CONFIG_C NETLINK_C SPEC; prints each
mismatch, exits 1 if any."""
import re
import sys

import yaml

uapi_h, kteredo_h, config_c, netlink_c, spec_f = sys.argv[1:6]
uapi = open(uapi_h).read()
ksrc = {f: re.sub(r'/\*.*?\*/', '', open(f).read(), flags=re.S)
        for f in (kteredo_h, config_c, netlink_c)}
spec = yaml.safe_load(open(spec_f))
fails = []


def enum_value(name):
    """The value of a uapi enum entry or #define (X_MAX)."""
    m = re.search(r'#define\s+' + name + r'\s+\((__\w+)\s*-\s*1\)', uapi)
    if m:
        return enum_value(m.group(1)) - 1
    for body in re.findall(r'enum[^{]*\{([^}]*)\}', uapi, re.S):
        v = 0
        for n, val in re.findall(r'^\s*(\w+)\s*(?:=\s*(\w+))?\s*,', body, re.M):
            if val:
                v = int(val, 0)
            if n == name:
                return v
            v += 1
    raise KeyError(name)


def c_value(expr):
    """A constant of a policy: a number, a uapi name, simple arithmetic."""
    expr = expr.strip()
    expr = expr.replace('sizeof(struct in6_addr)', '16')
    expr = re.sub(r'\bIFNAMSIZ\b', '16', expr)
    expr = re.sub(r'\b[A-Z_][A-Z0-9_]+\b', lambda m: str(enum_value(m.group(0))), expr)
    if not re.fullmatch(r'[0-9\s+\-*<>()]+', expr):
        raise ValueError(expr)
    return eval(expr)


def ranges():
    """struct netlink_range_validation NAME = { .min = A, .max = B }."""
    out = {}
    for name, body in re.findall(
            r'struct netlink_range_validation\s+(\w+)\s*=\s*\{(.*?)\};',
            ksrc[config_c], re.S):
        f = dict(re.findall(r'\.(min|max)\s*=\s*([^,\n]+)', body))
        out[name] = (c_value(f['min']), c_value(f['max']))
    return out


RANGES = ranges()


def entries(body, prefix=None):
    """[NAME] = POLICY lines of a policy array's body."""
    out = {}
    if prefix is not None:
        m = re.search(r'#define TEREDO_CFG_POLICY\(P\)(.*?)\n\n', ksrc[kteredo_h], re.S)
        cfg = m.group(1).replace('\\\n', '\n').replace('P##', prefix)
        body = cfg + ',\n' + body
    body = re.sub(r'TEREDO_CFG_POLICY\(\w+\),?', '', body)
    for name, pol in re.findall(r'\[(\w+)\]\s*=\s*(.*?)(?=,\s*\n\s*\[|,?\s*$)',
                                body, re.S):
        out[name] = ' '.join(pol.split())
    return out


def policy(name, prefix=None):
    for f in (config_c, netlink_c):
        m = re.search(r'nla_policy\s+' + name + r'\[[^\]]*\]\s*=\s*\{(.*?)\n\};',
                      ksrc[f], re.S)
        if m:
            return entries(m.group(1), prefix)
    raise KeyError(name)


def parse_pol(p):
    """A policy entry as (kind, args)."""
    m = re.fullmatch(r'\{ \.type = (NLA_\w+)(?:, \.len = (.+?))? \}', p)
    if m:
        return m.group(1), (c_value(m.group(2)) if m.group(2) else None)
    m = re.fullmatch(r'NLA_POLICY_(\w+)\((.*)\)', p)
    if m:
        args = [a.strip() for a in m.group(2).split(',')]
        return 'NLA_POLICY_' + m.group(1), args
    raise ValueError(p)


SPEC_SETS = {s['name']: s for s in spec['attribute-sets']}
SPEC_ENUMS = {d['name']: d for d in spec.get('definitions', []) if d['type'] == 'enum'}
INT = {'NLA_U8': 'u8', 'NLA_U16': 'u16', 'NLA_U32': 'u32', 'NLA_U64': 'u64'}


def spec_attr(set_name, cname, prefix):
    key = cname[len(prefix):].lower().replace('_', '-')
    for a in SPEC_SETS[set_name]['attributes']:
        if a['name'] == key:
            return a
    return None


def check_type(where, a, t, be=False):
    if a.get('type') != t:
        fails.append(f'{where}: kernel {t}, spec {a.get("type")}')
    if be != (a.get('byte-order') == 'big-endian'):
        fails.append(f'{where}: kernel {"big-endian" if be else "host order"}, '
                     f'spec {a.get("byte-order", "host order")}')


def check_checks(where, a, want):
    got = {k: v for k, v in (a.get('checks') or {}).items()}
    if got != want:
        fails.append(f'{where}: kernel checks {want}, spec {got}')


def compare(set_name, pol_name, prefix, seen):
    if (set_name, pol_name) in seen:
        return
    seen.add((set_name, pol_name))
    if set_name not in SPEC_SETS:
        fails.append(f'{pol_name}: no attribute set {set_name} in the spec')
        return
    pol = policy(pol_name, 'TEREDO_A_' if pol_name == 'teredo_policy' else None)
    for cname, p in pol.items():
        where = f'{pol_name}[{cname}] / {set_name}'
        a = spec_attr(set_name, cname, prefix)
        if a is None:
            fails.append(f'{where}: the kernel accepts it, the spec has no such attribute')
            continue
        kind, args = parse_pol(p)
        if kind in INT or kind == 'NLA_BE32':
            check_type(where, a, INT.get(kind, 'u32'), kind == 'NLA_BE32')
            check_checks(where, a, {})
        elif kind == 'NLA_NUL_STRING':
            check_type(where, a, 'string')
            check_checks(where, a, {'max-len': args} if args else {})
        elif kind == 'NLA_POLICY_EXACT_LEN':
            check_type(where, a, 'binary')
            check_checks(where, a, {'exact-len': c_value(args[0])})
        elif kind == 'NLA_POLICY_MAX':
            check_type(where, a, INT[args[0]])
            mx = c_value(args[1])
            if 'enum' in a:
                e = SPEC_ENUMS[a['enum']]
                last = e.get('value-start', 0) + len(e['entries']) - 1
                if last != mx:
                    fails.append(f'{where}: kernel max {mx}, spec enum {a["enum"]} ends at {last}')
                check_checks(where, a, {})
            else:
                check_checks(where, a, {'max': mx})
        elif kind == 'NLA_POLICY_FULL_RANGE':
            check_type(where, a, INT[args[0]])
            lo, hi = RANGES[args[1].lstrip('&')]
            check_checks(where, a, {'min': lo, 'max': hi})
        elif kind == 'NLA_POLICY_NESTED':
            check_type(where, a, 'nest')
            sub = a.get('nested-attributes')
            sub_prefix = SPEC_SETS.get(sub, {}).get('name-prefix', 'teredo-a-')
            compare(sub, args[0], sub_prefix.upper().replace('-', '_'), seen)
        elif kind == 'NLA_POLICY_NESTED_ARRAY':
            # a nest of nests: the spec's set has one multi-attr nest
            check_type(where, a, 'nest')
            outer = SPEC_SETS.get(a.get('nested-attributes'), {'attributes': []})
            inner = [x for x in outer['attributes'] if x.get('type') == 'nest' and
                     x.get('multi-attr')]
            if len(outer['attributes']) != 1 or len(inner) != 1:
                fails.append(f'{where}: kernel nested array, spec set '
                             f'{a.get("nested-attributes")} is not one multi-attr nest')
                continue
            sub = inner[0]['nested-attributes']
            compare(sub, args[0], SPEC_SETS[sub]['name-prefix'].upper().replace('-', '_'),
                    seen)
        else:
            fails.append(f'{where}: policy kind {kind} not understood by this check')
    # checks in the spec on attributes the kernel never parses mean nothing
    for a in SPEC_SETS[set_name]['attributes']:
        cname = prefix + a['name'].upper().replace('-', '_')
        if cname not in pol and a.get('checks'):
            fails.append(f'{set_name}.{a["name"]}: spec checks {a["checks"]}, '
                         'but the kernel does not accept it')


seen = set()
compare('dev', 'teredo_policy', 'TEREDO_A_', seen)
compare('peer', 'teredo_peer_policy', 'TEREDO_PEER_A_', seen)
for f in fails:
    print(f)
print(f'{len(seen)} policies compared with their attribute sets', file=sys.stderr)
sys.exit(1 if fails else 0)
