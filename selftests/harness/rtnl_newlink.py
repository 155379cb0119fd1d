#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Send one RTM_NEWLINK of kind "teredo" with raw IFLA_TEREDO_* attributes,
malformed ones included, and print the kernel's answer.

Usage: rtnl_newlink.py [--change] [--link NAME=TYPE:VALUE ...] IFNAME
                       [NAME=TYPE:VALUE ...]     (options anywhere)
  --change  change the existing IFNAME (no NLM_F_CREATE | NLM_F_EXCL)
  --link    a link attribute IFLA_* beside IFLA_LINKINFO: NAME is
            address, mtu or a number
  NAME   an IFLA_TEREDO_* name without the prefix (mode, port, server...),
         read from include/uapi/linux/teredo.h, or a number
  TYPE   u8 u16 u32 be32 ipv4 hex
Prints "ok" or "error ERRNO: EXTACK-MESSAGE" (the message may be empty),
followed by " [attribute NAME]" when the extack names the attribute at
fault (NLMSGERR_ATTR_OFFS), and exits 0 on ok, 1 on a netlink error, 2
on a usage error.
"""
import os
import re
import socket
import struct
import sys

NETLINK_ROUTE = 0
RTM_NEWLINK = 16
NLMSG_ERROR = 2
NLM_F_REQUEST, NLM_F_ACK, NLM_F_EXCL, NLM_F_CREATE = 1, 4, 0x200, 0x400
NLM_F_CAPPED, NLM_F_ACK_TLVS = 0x100, 0x200
NETLINK_EXT_ACK = 11
SOL_NETLINK = 270
IFLA_ADDRESS, IFLA_IFNAME, IFLA_MTU, IFLA_LINKINFO = 1, 3, 4, 18
IFLA_INFO_KIND, IFLA_INFO_DATA = 1, 2
NLA_F_NESTED = 0x8000
NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS = 1, 2

UAPI = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                    '..', '..', 'include', 'uapi', 'linux', 'teredo.h')


def ifla_teredo_numbers():
    """IFLA_TEREDO_* values, counted from the enum in the uapi header."""
    text = open(UAPI).read()
    body = re.search(r'enum\s*{\s*(IFLA_TEREDO_UNSPEC.*?)}', text, re.S).group(1)
    names = re.findall(r'^\s*(IFLA_TEREDO_\w+)', body, re.M)
    return {n[len('IFLA_TEREDO_'):].lower(): i for i, n in enumerate(names)}


def attr(atype, payload):
    hdr = struct.pack('=HH', 4 + len(payload), atype)
    pad = b'\0' * ((4 - len(payload) % 4) % 4)
    return hdr + payload + pad


def value(kind, text):
    if kind == 'u8':
        return struct.pack('=B', int(text, 0))
    if kind == 'u16':
        return struct.pack('=H', int(text, 0))
    if kind == 'u32':
        return struct.pack('=I', int(text, 0))
    if kind == 'be32':
        return struct.pack('>I', int(text, 0))
    if kind == 'ipv4':
        return socket.inet_aton(text)
    if kind == 'hex':
        return bytes.fromhex(text)
    raise ValueError('unknown type ' + kind)


def parse_specs(specs, numbers, where, base):
    """The attributes of specs, and {offset from base: name} of each."""
    data, names = b'', {}
    for spec in specs:
        try:
            name, rest = spec.split('=', 1)
            kind, text = rest.split(':', 1)
            num = int(name) if name.isdigit() else numbers[name.lower()]
            names[base + len(data)] = name.lower()
            data += attr(num, value(kind, text))
        except (ValueError, KeyError) as err:
            raise ValueError('bad %s attribute %r: %s' % (where, spec, err))
    return data, names


def main(argv):
    change, links, args = False, [], argv[:1]
    i = 1
    while i < len(argv):
        if argv[i] == '--change':
            change = True
        elif argv[i] == '--link' and i + 1 < len(argv):
            links.append(argv[i + 1])
            i += 1
        else:
            args.append(argv[i])
        i += 1
    argv = args
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    # offsets from the start of the message: header 16, ifinfomsg 16
    body = struct.pack('=BxHiII', socket.AF_UNSPEC, 0, 0, 0, 0)
    body += attr(IFLA_IFNAME, argv[1].encode() + b'\0')
    try:
        link, names = parse_specs(links, {'address': IFLA_ADDRESS,
                                          'mtu': IFLA_MTU},
                                  'link', 16 + len(body))
        body += link
        # IFLA_LINKINFO, IFLA_INFO_KIND "teredo", IFLA_INFO_DATA: 4 + 12 + 4
        data, tnames = parse_specs(argv[2:], ifla_teredo_numbers(), 'teredo',
                                   16 + len(body) + 20)
    except ValueError as err:
        print('rtnl_newlink: %s' % err, file=sys.stderr)
        return 2
    names.update(tnames)
    linkinfo = attr(IFLA_INFO_KIND, b'teredo\0')
    if argv[2:]:
        linkinfo += attr(IFLA_INFO_DATA | NLA_F_NESTED, data)
    body += attr(IFLA_LINKINFO | NLA_F_NESTED, linkinfo)
    flags = NLM_F_REQUEST | NLM_F_ACK
    if not change:
        flags |= NLM_F_CREATE | NLM_F_EXCL
    msg = struct.pack('=IHHII', 16 + len(body), RTM_NEWLINK, flags, 1, 0) + body

    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
    sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
    sock.bind((0, 0))
    sock.send(msg)
    reply = sock.recv(65536)
    length, mtype, mflags, _, _ = struct.unpack_from('=IHHII', reply)
    if mtype != NLMSG_ERROR:
        print('rtnl_newlink: unexpected reply type %d' % mtype, file=sys.stderr)
        return 2
    error, = struct.unpack_from('=i', reply, 16)
    if error == 0:
        print('ok')
        return 0
    text = ''
    bad = None
    if mflags & NLM_F_ACK_TLVS:
        inner_len = 16 if mflags & NLM_F_CAPPED else struct.unpack_from('=I', reply, 20)[0]
        off = 20 + ((inner_len + 3) & ~3)
        while off + 4 <= length:
            alen, atype = struct.unpack_from('=HH', reply, off)
            if alen < 4:
                break
            if atype == NLMSGERR_ATTR_MSG:
                text = reply[off + 4:off + alen].split(b'\0')[0].decode(errors='replace')
            elif atype == NLMSGERR_ATTR_OFFS and alen >= 8:
                at, = struct.unpack_from('=I', reply, off + 4)
                bad = names.get(at, 'at offset %d' % at)
            off += (alen + 3) & ~3
    print('error %d: %s%s' % (-error, text, ' [attribute %s]' % bad if bad else ''))
    return 1


if __name__ == '__main__':
    sys.exit(main(sys.argv))
