#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Teardown rounds for selftests/teardown_load.sh, one process for all.

Under TCG every exec costs 50-300 ms: a round of "ip link del" + "ip link
add" + "teredo-nl set allow" is three of them, a round of rmmod + modprobe
+ two devices re-created and authorized six.  This helper holds a
rtnetlink and a generic netlink socket in each client netns (opened there
with setns(2)) and does the rounds itself, with the same netlink requests
"ip link" (with the iproute2 plugin) and "teredo-nl set" send.

  teardown.py KO MARK NS[,port=P][,max_peers=M][,refresh=S] ...

The first NS is "the" client of the link rounds.  A client's device t0 is
made as "ip link add t0 up type teredo server 192.0.2.1 port P refresh S"
does (one RTM_NEWLINK with IFF_UP; no port, no refresh: the defaults),
then authorized for MARK (and given max_peers M) with one
TEREDO_CMD_DEV_SET, as "teredo-nl set t0 allow MARK max-peers M" does:
the device is up before it is authorized.

Commands on stdin, one per line; each is answered with one line on
stdout, "done ROUNDS FAILURES" (failures explained on stderr):

  link N PAUSE   N rounds in the first NS: delete t0, re-create it, up,
                 authorized; then sleep a random 0..PAUSE s, so that the
                 load reaches the new device before the next deletion
  rmmod N PAUSE  N rounds: unload teredo (delete_module, retried while
                 busy: every teredo device of every netns goes), load KO
                 again (finit_module), re-create and authorize t0 in every
                 NS, sleep 0..PAUSE s
  genl N PORT    N TEREDO_CMD_DEV_SET on the first NS's t0, each changing
                 refresh, max-peers, rxmark, dormant-timeout and the
                 authorized marks (MARK always among them); every 2nd also
                 moves the port between PORT + 1 and PORT (socket rebind,
                 peer flush, requalification), the last one back to PORT
  scratch PORT NS NAME...
                 in each netns NAME (just made): lo up, a device t0 up
                 (server 192.0.2.1, port PORT); in every 2nd also a device
                 tx<N> made in NAME (its socket stays there) and moved to
                 NS, port PORT + 1; then a thread sends Teredo bubbles to
                 127.0.0.1:PORT and PORT + 1 from inside every NAME until
                 "scratch-stop", which also closes those sockets (the last
                 references the test holds on the deleted netns)
  quit
"""
import ctypes
import os
import random
import socket
import struct
import sys
import threading
import time

from genl_fuzz import (A_ALLOWED_MARKS, A_DORMANT_TIMEOUT, A_INBOUND,
                       A_MAX_PEERS, A_PORT,
                       A_REFRESH, A_RXMARK, CMD_DEV_SET, NETLINK_EXT_ACK,
                       NETLINK_GENERIC, NLA_F_NESTED, NLM_F_ACK,
                       NLM_F_REQUEST, SOL_NETLINK, Genl, attrs, be32, mark,
                       name, nla, u8, u16, u32)

NETLINK_ROUTE = 0
CLONE_NEWNET = 0x40000000
SYS_DELETE_MODULE, SYS_FINIT_MODULE = 176, 313	# x86_64
RTM_NEWLINK, RTM_DELLINK = 16, 17
NLM_F_EXCL, NLM_F_CREATE = 0x200, 0x400
IFF_UP = 1
IFLA_IFNAME, IFLA_LINKINFO, IFLA_NET_NS_FD = 3, 18, 28
IFLA_INFO_KIND, IFLA_INFO_DATA = 1, 2
IFLA_TEREDO_SERVER, IFLA_TEREDO_PORT, IFLA_TEREDO_REFRESH = 2, 4, 8
SERVER = 0xc0000201	# 192.0.2.1

libc = ctypes.CDLL(None, use_errno=True)


def setns(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET):
            raise OSError(ctypes.get_errno(), "setns " + path)
    finally:
        os.close(fd)


class Sock(Genl):
    """A netlink socket of PROTO in the current netns (Genl's plumbing)."""

    def __init__(self, proto):  # pylint: disable=super-init-not-called
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, proto)
        self.s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.s.bind((0, 0))
        self.s.settimeout(20)
        self.seq = 0
        self.family = None

    def raw(self, typ, flags, body):
        """One request, its ACK; raises OSError(errno, extack msg)."""
        self.seq += 1
        self.s.send(struct.pack("=IHHII", 16 + len(body), typ,
                                NLM_F_REQUEST | NLM_F_ACK | flags, self.seq,
                                0) + body)
        for r in self.replies():
            if r[0] == "err" and r[1]:
                raise OSError(r[1], r[2])

    def resolve(self):
        """The teredo genl family's id (it changes when the module does)."""
        fam = self.request(0x10, 3, nla(2, b"teredo\0"), ver=1)
        self.family = struct.unpack("=H", attrs(fam[0][4:])[1][:2])[0]


class Client:
    def __init__(self, spec, mark_):
        f = spec.split(",")
        self.ns = f[0]
        opts = dict(o.split("=") for o in f[1:])
        self.port = int(opts.get("port", 0))
        self.max_peers = int(opts.get("max_peers", 0))
        self.refresh = int(opts["refresh"]) if "refresh" in opts else None
        self.mark = mark_
        setns("/run/netns/" + self.ns)
        self.rtnl = Sock(NETLINK_ROUTE)
        self.genl = Sock(NETLINK_GENERIC)

    def ifinfo(self, flags=0):
        return struct.pack("=BxHiII", socket.AF_UNSPEC, 0, 0, flags, flags)

    def delete(self):
        self.rtnl.raw(RTM_DELLINK, 0,
                      self.ifinfo() + nla(IFLA_IFNAME, b"t0\0"))

    def create(self):
        newlink(self.rtnl, "t0", self.port, refresh=self.refresh)

    def set(self, payload):
        if self.genl.family is None:
            self.genl.resolve()
        self.genl.request(self.genl.family, CMD_DEV_SET, name("t0") + payload)

    def authorize(self):
        # as topo_teredo: inbound open, never idle (its sockets carry no
        # mark, only its packets; the checkpoints want it qualified)
        p = nla(A_ALLOWED_MARKS, mark(self.mark), NLA_F_NESTED) + \
            nla(A_INBOUND, u8(1)) + nla(A_DORMANT_TIMEOUT, u32(0))
        if self.max_peers:
            p += nla(A_MAX_PEERS, u32(self.max_peers))
        self.set(p)


def newlink(rtnl, name_, port, netns_fd=None, refresh=None):
    """ip link add NAME [netns NS] up type teredo server 192.0.2.1
    [port PORT] [refresh SECONDS] (port 0: none given, random)"""
    data = nla(IFLA_TEREDO_SERVER, be32(SERVER))
    if refresh is not None:
        data += nla(IFLA_TEREDO_REFRESH, u32(refresh))
    if port:
        data += nla(IFLA_TEREDO_PORT, u16(port))
    info = nla(IFLA_INFO_KIND, b"teredo\0") + \
        nla(IFLA_INFO_DATA, data, NLA_F_NESTED)
    extra = nla(IFLA_NET_NS_FD, u32(netns_fd)) if netns_fd is not None else b""
    rtnl.raw(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL,
             struct.pack("=BxHiII", socket.AF_UNSPEC, 0, 0, IFF_UP, IFF_UP) +
             nla(IFLA_IFNAME, name_.encode() + b"\0") + extra +
             nla(IFLA_LINKINFO, info, NLA_F_NESTED))


# A bubble (RFC 4380 2.8: IPv6 header, no payload) from a Teredo address.
BUBBLE = struct.pack("!IHBB", 6 << 28, 0, 59, 255) + \
    bytes.fromhex("20010000c000020100008000f227fefe") + \
    bytes.fromhex("fe800000000000000000ffffffffffff")


class Scratch:
    def __init__(self):
        self.socks = []
        self.stop = threading.Event()
        self.thread = None
        self.moved = 0

    def start(self, port, ns, names, fails):
        c1 = os.open("/run/netns/" + ns, os.O_RDONLY)
        try:
            for i, n in enumerate(names):
                try:
                    setns("/run/netns/" + n)
                    rtnl = Sock(NETLINK_ROUTE)
                    rtnl.raw(RTM_NEWLINK, 0, struct.pack(
                        "=BxHiII", socket.AF_UNSPEC, 0, 1, IFF_UP, IFF_UP))
                    newlink(rtnl, "t0", port)
                    if i % 2 == 0:
                        newlink(rtnl, "tx%d" % self.moved, port + 1, c1)
                        self.moved += 1
                    rtnl.s.close()
                    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    u.setblocking(False)
                    self.socks.append(u)
                except OSError as e:
                    fails.append("scratch %s: %s" % (n, e))
        finally:
            os.close(c1)
            setns("/proc/1/ns/net")
        self.stop.clear()
        self.thread = threading.Thread(target=self.send, args=(port,))
        self.thread.start()

    def send(self, port):
        while not self.stop.is_set():
            for u in self.socks:
                for p in (port, port + 1):
                    try:
                        u.sendto(BUBBLE, ("127.0.0.1", p))
                    except OSError:
                        pass
            time.sleep(0.001)

    def end(self):
        self.stop.set()
        if self.thread:
            self.thread.join()
        for u in self.socks:
            u.close()
        self.socks = []


SCRATCH = Scratch()


def delete_module():
    """Unload teredo, retrying for 20 s while it is busy."""
    end = time.time() + 20
    while libc.syscall(SYS_DELETE_MODULE, b"teredo", os.O_NONBLOCK):
        err = ctypes.get_errno()
        if err not in (11, 16) or time.time() > end:	# EAGAIN, EBUSY
            raise OSError(err, "delete_module teredo")
        time.sleep(0.05)


def load_module(ko):
    fd = os.open(ko, os.O_RDONLY)
    try:
        if libc.syscall(SYS_FINIT_MODULE, fd, b"", 0):
            raise OSError(ctypes.get_errno(), "finit_module " + ko)
    finally:
        os.close(fd)


def step(fails, what, fn):
    try:
        fn()
    except OSError as e:
        fails.append("%s: %s" % (what, e))


def run(cmd, args, ko, clients):
    fails = []
    if cmd == "scratch":
        SCRATCH.start(int(args[0]), args[1], args[2:], fails)
        n = len(args) - 2
    elif cmd == "scratch-stop":
        SCRATCH.end()
        n = 0
    else:
        n = int(args[0])
    c1 = clients[0]
    for i in range(n if cmd not in ("scratch", "scratch-stop") else 0):
        if cmd == "link":
            step(fails, "link del", c1.delete)
            step(fails, "link add", c1.create)
            step(fails, "allow", c1.authorize)
            time.sleep(random.uniform(0, float(args[1])))
        elif cmd == "rmmod":
            step(fails, "rmmod", delete_module)
            step(fails, "insmod", lambda: load_module(ko))
            for c in clients:
                c.genl.family = None
                step(fails, c.ns + " link add", c.create)
                step(fails, c.ns + " allow", c.authorize)
            time.sleep(random.uniform(0, float(args[1])))
        elif cmd == "genl":
            port = int(args[1])
            p = nla(A_REFRESH, u32(100 + i % 50)) + \
                nla(A_MAX_PEERS, u32(2000 + i % 1000)) + \
                nla(A_RXMARK, u32(i % 3)) + \
                nla(A_DORMANT_TIMEOUT, u32(300 + i)) + \
                nla(A_ALLOWED_MARKS, b"".join(mark(0x100 + j) for j in range(i % 4)) +
                    mark(c1.mark), NLA_F_NESTED)
            if i % 2:
                p += nla(A_PORT, u16(port if i == n - 1 or i % 4 == 3 else port + 1))
            elif i == n - 1:
                p += nla(A_PORT, u16(port))
            step(fails, "genl set", lambda: c1.set(p))
        else:
            fails.append("unknown command " + cmd)
            break
    for f in fails[:5]:
        print("teardown.py %s: %s" % (cmd, f), file=sys.stderr, flush=True)
    print("done %d %d" % (n, len(fails)), flush=True)


def main():
    ko, mark_ = sys.argv[1], int(sys.argv[2], 0)
    clients = [Client(spec, mark_) for spec in sys.argv[3:]]
    setns("/proc/1/ns/net")
    print("ready", flush=True)
    for line in sys.stdin:
        w = line.split()
        if not w:
            continue
        if w[0] == "quit":
            break
        run(w[0], w[1:], ko, clients)
    return 0


if __name__ == "__main__":
    sys.exit(main())
