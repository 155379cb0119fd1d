#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Send one RTM_NEWLINK of kind "teredo" with raw IFLA_TEREDO_* attributes,
malformed ones included, and print the kernel's answer.

Usage: rtnl_newlink.py [--change] IFNAME [NAME=TYPE:VALUE ...]
  --change  change the existing IFNAME (no NLM_F_CREATE | NLM_F_EXCL)
  NAME   an IFLA_TEREDO_* name without the prefix (mode, port, server...),
         read from include/uapi/linux/teredo.h, or a number
  TYPE   u8 u16 u32 be32 ipv4 hex
Prints "ok" or "error ERRNO: EXTACK-MESSAGE" (the message may be empty)
and exits 0 on ok, 1 on a netlink error, 2 on a usage error.
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
IFLA_IFNAME, IFLA_LINKINFO = 3, 18
IFLA_INFO_KIND, IFLA_INFO_DATA = 1, 2
NLA_F_NESTED = 0x8000
NLMSGERR_ATTR_MSG = 1

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


def main(argv):
    change = len(argv) > 1 and argv[1] == '--change'
    if change:
        argv = argv[:1] + argv[2:]
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    numbers = ifla_teredo_numbers()
    data = b''
    for spec in argv[2:]:
        try:
            name, rest = spec.split('=', 1)
            kind, text = rest.split(':', 1)
            num = int(name) if name.isdigit() else numbers[name.lower()]
            data += attr(num, value(kind, text))
        except (ValueError, KeyError) as err:
            print('rtnl_newlink: bad attribute %r: %s' % (spec, err), file=sys.stderr)
            return 2
    linkinfo = attr(IFLA_INFO_KIND, b'teredo\0')
    if argv[2:]:
        linkinfo += attr(IFLA_INFO_DATA | NLA_F_NESTED, data)
    body = struct.pack('=BxHiII', socket.AF_UNSPEC, 0, 0, 0, 0)
    body += attr(IFLA_IFNAME, argv[1].encode() + b'\0')
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
    if mflags & NLM_F_ACK_TLVS:
        inner_len = 16 if mflags & NLM_F_CAPPED else struct.unpack_from('=I', reply, 20)[0]
        off = 20 + ((inner_len + 3) & ~3)
        while off + 4 <= length:
            alen, atype = struct.unpack_from('=HH', reply, off)
            if alen < 4:
                break
            if atype == NLMSGERR_ATTR_MSG:
                text = reply[off + 4:off + alen].split(b'\0')[0].decode(errors='replace')
            off += (alen + 3) & ~3
    print('error %d: %s' % (-error, text))
    return 1


if __name__ == '__main__':
    sys.exit(main(sys.argv))
