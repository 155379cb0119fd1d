#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Raw generic netlink against the teredo family (issue 8 item 6).

  genl_fuzz.py cases DEV      every attribute with a wrong type, length,
                              range or nesting: each refused with an
                              extack message, the settings unchanged
                              (TAP lines on stdout, exit 1 on a failure)
  genl_fuzz.py random DEV N   N random messages of every command: the
                              kernel answers each (no hang, no crash)
  genl_fuzz.py setter DEV S [MARK]
                              DEV_SET in a loop for S seconds (every
                              authorized-marks list keeps MARK)
  genl_fuzz.py dumper DEV S   DEV_GET and PEER_GET dumps for S seconds
Values are from include/uapi/linux/teredo.h.
"""
import os
import random
import re
import socket
import struct
import sys
import time

NETLINK_GENERIC = 16
SOL_NETLINK = 270
NETLINK_EXT_ACK = 11
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 1, 4, 0x300
NLM_F_CAPPED, NLM_F_ACK_TLVS = 0x100, 0x200
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLA_F_NESTED = 0x8000

(CMD_DEV_GET, CMD_DEV_SET, CMD_PEER_GET, CMD_PEER_DEL, CMD_PEER_FLUSH,
 CMD_QUALIFY) = range(1, 7)


def uapi_attrs():
    """TEREDO_A_* of include/uapi/linux/teredo.h: name -> value."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "..", "..", "include", "uapi", "linux", "teredo.h")
    text = open(path).read()
    body = text[text.index("TEREDO_A_UNSPEC"):text.index("__TEREDO_A_MAX")]
    body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    names = [n.strip() for n in body.split(",") if n.strip()]
    return {n: v for v, n in enumerate(names)}


_A = uapi_attrs()
A_MAX = len(_A) - 1
(A_IFINDEX, A_IFNAME, A_MODE, A_STATE, A_SERVER, A_SERVER2, A_PORT, A_FWMARK,
 A_REFRESH, A_ALLOWED_MARKS, A_RXMARK, A_POLICY, A_DORMANT_TIMEOUT,
 A_MAX_PEERS, A_ADDRESS, A_MAPPED_ADDR, A_MAPPED_PORT, A_PEER_COUNT, A_STATS,
 A_PEER, A_EVENT, A_GENERATION, A_REFRESH_AUTO,
 A_REFRESH_DETERMINED, A_LOCAL_DISCOVERY, A_DORMANT_REASON, A_HOLDS,
 A_MANAGED, A_EVENTS_SUPPRESSED, A_INBOUND, A_SERVERS, A_LOCAL, A_LINK,
 A_HAIRPINNING) = (_A["TEREDO_A_" + n] for n in (
     "IFINDEX IFNAME MODE STATE SERVER SERVER2 PORT FWMARK REFRESH "
     "ALLOWED_MARKS RXMARK POLICY DORMANT_TIMEOUT MAX_PEERS ADDRESS "
     "MAPPED_ADDR MAPPED_PORT PEER_COUNT STATS PEER EVENT GENERATION "
     "REFRESH_AUTO REFRESH_DETERMINED LOCAL_DISCOVERY DORMANT_REASON HOLDS "
     "MANAGED EVENTS_SUPPRESSED INBOUND SERVERS LOCAL LINK HAIRPINNING").split())
SETTINGS = (A_MODE, A_SERVER, A_SERVER2, A_PORT, A_FWMARK, A_REFRESH,
            A_ALLOWED_MARKS, A_RXMARK, A_POLICY, A_DORMANT_TIMEOUT, A_MAX_PEERS,
            A_REFRESH_AUTO, A_INBOUND, A_HAIRPINNING)
MARK_A_MARK, MARK_A_MASK = 1, 2
PEER_A_ADDRESS = 2


def nla(t, data=b"", flags=0):
    return struct.pack("=HH", 4 + len(data), t | flags) + data + \
        b"\0" * (-len(data) % 4)


def u8(v): return struct.pack("=B", v)
def u16(v): return struct.pack("=H", v)
def u32(v): return struct.pack("=I", v)
def be32(v): return struct.pack("!I", v)


def attrs(buf):
    out = {}
    while len(buf) >= 4:
        ln, t = struct.unpack_from("=HH", buf)
        if ln < 4:
            break
        out[t & 0x3fff] = buf[4:ln]
        buf = buf[(ln + 3) & ~3:]
    return out


class Genl:
    def __init__(self):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                               NETLINK_GENERIC)
        self.s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.s.bind((0, 0))
        self.s.settimeout(20)
        self.seq = 0
        fam = self.request(0x10, 3, nla(2, b"teredo\0"), ver=1)
        self.family = struct.unpack("=H", attrs(fam[0][4:])[1][:2])[0]

    def send(self, family, cmd, payload, flags=NLM_F_REQUEST | NLM_F_ACK,
             ver=1):
        self.seq += 1
        body = struct.pack("=BBH", cmd, ver, 0) + payload
        self.s.send(struct.pack("=IHHII", 16 + len(body), family, flags,
                                self.seq, 0) + body)

    def replies(self):
        """Yields ('msg', payload) and finally ('err', errno, extack msg)."""
        while True:
            data = self.s.recv(1 << 20)
            while len(data) >= 16:
                ln, typ, flags, seq, _ = struct.unpack_from("=IHHII", data)
                body = data[16:ln]
                data = data[(ln + 3) & ~3:]
                if seq != self.seq:
                    continue
                if typ == NLMSG_DONE:
                    yield ("err", 0, "")
                    return
                if typ == NLMSG_ERROR:
                    err = struct.unpack_from("=i", body)[0]
                    msg = ""
                    if flags & NLM_F_ACK_TLVS:
                        inner = 16 if flags & NLM_F_CAPPED else \
                            struct.unpack_from("=I", body, 4)[0]
                        tlv = attrs(body[4 + ((inner + 3) & ~3):])
                        msg = tlv.get(1, b"").rstrip(b"\0").decode(errors="replace")
                    yield ("err", -err, msg)
                    return
                yield ("msg", body)

    def request(self, family, cmd, payload, flags=NLM_F_REQUEST | NLM_F_ACK,
                ver=1):
        """The payloads of the answer; raises OSError(errno, msg)."""
        self.send(family, cmd, payload, flags, ver)
        out = []
        for r in self.replies():
            if r[0] == "msg":
                out.append(r[1])
            elif r[1]:
                raise OSError(r[1], r[2])
        return out

    def do(self, cmd, payload, dump=False):
        flags = NLM_F_REQUEST | (NLM_F_DUMP if dump else NLM_F_ACK)
        return [m[4:] for m in self.request(self.family, cmd, payload, flags)]

    def settings(self, dev):
        a = attrs(self.do(CMD_DEV_GET, nla(A_IFNAME, dev.encode() + b"\0"))[0])
        return {t: a.get(t) for t in SETTINGS}


def name(dev):
    return nla(A_IFNAME, dev.encode() + b"\0")


def mark(m, mask=0xffffffff):
    return nla(1, nla(MARK_A_MARK, u32(m)) + nla(MARK_A_MASK, u32(mask)),
               NLA_F_NESTED)


def set_cases(dev):
    """(description, DEV_SET payload, is an extack message required)"""
    d = name(dev)
    c = []
    scalars = [("mode", A_MODE, 1), ("server", A_SERVER, 4),
               ("server2", A_SERVER2, 4), ("port", A_PORT, 2),
               ("fwmark", A_FWMARK, 4), ("refresh", A_REFRESH, 4),
               ("rxmark", A_RXMARK, 4), ("policy", A_POLICY, 1),
               ("dormant-timeout", A_DORMANT_TIMEOUT, 4),
               ("max-peers", A_MAX_PEERS, 4),
               ("refresh-auto", A_REFRESH_AUTO, 1),
               ("inbound", A_INBOUND, 1),
               ("hairpinning", A_HAIRPINNING, 1)]
    for n, t, size in scalars:
        c.append(("%s: empty" % n, d + nla(t), True))
        if size > 1:
            c.append(("%s: %d bytes" % (n, size - 1), d + nla(t, b"\1" * (size - 1)), True))
        c.append(("%s: %d bytes" % (n, size + 1), d + nla(t, b"\1" * (size + 1)), True))
        c.append(("%s: 16 bytes" % n, d + nla(t, b"\1" * 16), True))
        c.append(("%s: flagged nested" % n, d + nla(t, b"\1" * size, NLA_F_NESTED), True))
    c += [
        ("mode 3 (out of range)", d + nla(A_MODE, u8(3)), True),
        ("mode 255", d + nla(A_MODE, u8(255)), True),
        ("policy 2 (out of range)", d + nla(A_POLICY, u8(2)), True),
        ("refresh-auto 2 (out of range)", d + nla(A_REFRESH_AUTO, u8(2)), True),
        ("inbound 2 (out of range)", d + nla(A_INBOUND, u8(2)), True),
        ("hairpinning 2 (out of range)", d + nla(A_HAIRPINNING, u8(2)), True),
        ("hairpinning 255", d + nla(A_HAIRPINNING, u8(255)), True),
        ("refresh 0", d + nla(A_REFRESH, u32(0)), True),
        ("refresh 3601", d + nla(A_REFRESH, u32(3601)), True),
        ("refresh 0xffffffff", d + nla(A_REFRESH, u32(0xffffffff)), True),
        ("dormant-timeout 7 days + 1 s", d + nla(A_DORMANT_TIMEOUT, u32(7 * 86400 + 1)), True),
        ("max-peers 0", d + nla(A_MAX_PEERS, u32(0)), True),
        ("max-peers 2^20 + 1", d + nla(A_MAX_PEERS, u32((1 << 20) + 1)), True),
        ("server 0.0.0.1 (not global)", d + nla(A_SERVER, be32(1)), True),
        ("server 255.255.255.255", d + nla(A_SERVER, be32(0xffffffff)), True),
        ("server2 224.0.0.1", d + nla(A_SERVER2, be32(0xe0000001)), True),
        # nesting of the allowed marks
        ("allowed marks: not flagged nested", d + nla(A_ALLOWED_MARKS, mark(1)), True),
        ("allowed marks: a mark that is a u32", d + nla(A_ALLOWED_MARKS, nla(1, u32(5)), NLA_F_NESTED), True),
        ("allowed marks: mark of 2 bytes", d + nla(A_ALLOWED_MARKS, nla(1, nla(MARK_A_MARK, u16(1)), NLA_F_NESTED), NLA_F_NESTED), True),
        ("allowed marks: unknown inner attribute", d + nla(A_ALLOWED_MARKS, nla(1, nla(MARK_A_MARK, u32(1)) + nla(9, u32(1)), NLA_F_NESTED), NLA_F_NESTED), True),
        ("allowed marks: mark outside its mask", d + nla(A_ALLOWED_MARKS, mark(0x100, 0xff), NLA_F_NESTED), True),
        ("allowed marks: zero mask", d + nla(A_ALLOWED_MARKS, mark(0, 0), NLA_F_NESTED), True),
        ("allowed marks: 17 marks", d + nla(A_ALLOWED_MARKS, b"".join(mark(i) for i in range(17)), NLA_F_NESTED), True),
        ("allowed marks: three levels deep", d + nla(A_ALLOWED_MARKS, nla(1, mark(1), NLA_F_NESTED), NLA_F_NESTED), True),
        # read-only and unknown attributes
        ("state (read-only)", d + nla(A_STATE, u8(2)), True),
        ("address (read-only)", d + nla(A_ADDRESS, b"\x20\x01" + b"\0" * 14), True),
        ("peer count (read-only)", d + nla(A_PEER_COUNT, u32(1)), True),
        ("refresh-determined (read-only)", d + nla(A_REFRESH_DETERMINED, u32(30)), True),
        ("stats (read-only)", d + nla(A_STATS, nla(1, struct.pack("=Q", 1)), NLA_F_NESTED), True),
        ("unknown attribute %d" % (A_MAX + 1), d + nla(A_MAX + 1, u32(1)), True),
        ("unknown attribute 0x3fff", d + nla(0x3fff, u32(1)), True),
        # which device
        ("ifname not NUL-terminated", nla(A_IFNAME, dev.encode()) + nla(A_REFRESH, u32(77)), True),
        ("ifname of 16 characters", nla(A_IFNAME, b"x" * 16 + b"\0") + nla(A_REFRESH, u32(77)), True),
        ("ifname of an absent device", nla(A_IFNAME, b"nosuch0\0") + nla(A_REFRESH, u32(77)), True),
        ("ifindex 0", nla(A_IFINDEX, u32(0)) + nla(A_REFRESH, u32(77)), True),
        ("ifindex of 2 bytes", nla(A_IFINDEX, u16(1)) + nla(A_REFRESH, u32(77)), True),
        ("no device at all", nla(A_REFRESH, u32(77)), True),
        # a good setting next to a bad one: all or nothing
        ("good refresh + bad mode", d + nla(A_REFRESH, u32(77)) + nla(A_MODE, u8(9)), True),
        ("good refresh + bad marks", d + nla(A_REFRESH, u32(77)) + nla(A_ALLOWED_MARKS, mark(3, 1), NLA_F_NESTED), True),
        ("good hairpinning + bad mode", d + nla(A_HAIRPINNING, u8(1)) + nla(A_MODE, u8(9)), True),
    ]
    return c


def peer_cases(dev):
    d = name(dev)
    return [
        ("peer-del: address of 15 bytes", CMD_PEER_DEL, d + nla(A_PEER, nla(PEER_A_ADDRESS, b"\1" * 15), NLA_F_NESTED), True),
        ("peer-del: address of 17 bytes", CMD_PEER_DEL, d + nla(A_PEER, nla(PEER_A_ADDRESS, b"\1" * 17), NLA_F_NESTED), True),
        ("peer-del: no peer attribute", CMD_PEER_DEL, d, True),
        ("peer-del: peer not nested", CMD_PEER_DEL, d + nla(A_PEER, b"\1" * 16), True),
        ("peer-del: empty peer nest", CMD_PEER_DEL, d + nla(A_PEER, b"", NLA_F_NESTED), True),
        ("peer-del: unknown peer", CMD_PEER_DEL, d + nla(A_PEER, nla(PEER_A_ADDRESS, b"\x20\x01" + b"\0" * 14), NLA_F_NESTED), True),
        ("qualify: absent device", CMD_QUALIFY, nla(A_IFNAME, b"nosuch0\0"), True),
        ("flush: absent device", CMD_PEER_FLUSH, nla(A_IFNAME, b"nosuch0\0"), True),
    ]


def run_cases(dev):
    g = Genl()
    before = g.settings(dev)
    n = fails = 0
    todo = [(desc, CMD_DEV_SET, p, m) for desc, p, m in set_cases(dev)] + \
        peer_cases(dev)
    # a truncated attribute header (nla_len beyond the message)
    todo.append(("attribute longer than the message", CMD_DEV_SET,
                 name(dev) + struct.pack("=HH", 200, A_REFRESH) + u32(1), False))
    for desc, cmd, payload, need_msg in todo:
        n += 1
        try:
            g.do(cmd, payload)
            res, err, msg = "accepted", 0, ""
        except OSError as e:
            res, err, msg = "refused", e.errno, e.strerror or ""
        after = g.settings(dev)
        bad = []
        if err == 0:
            bad.append("accepted")
        if need_msg and not msg:
            bad.append("no extack message")
        if after != before:
            bad.append("settings changed: %s" % {t: (before[t], after[t]) for t in SETTINGS if before[t] != after[t]})
        line = "%s: %s (%s, %r)" % (desc, res, os.strerror(err) if err else "", msg)
        if bad:
            fails += 1
            print("not ok %d %s # %s" % (n, line, "; ".join(bad)))
        else:
            print("ok %d %s" % (n, line))
    print("1..%d" % n)
    return 1 if fails else 0


def run_random(dev, count):
    g = Genl()
    rnd = random.Random(int(os.environ.get("FUZZ_SEED", "4380")))
    answered = 0
    for _ in range(count):
        cmd = rnd.choice([CMD_DEV_GET, CMD_DEV_SET, CMD_PEER_GET, CMD_PEER_DEL,
                          0, 7, 200])
        body = name(dev) if rnd.random() < 0.8 else b""
        for _ in range(rnd.randint(0, 6)):
            t = rnd.randint(0, A_MAX + 3)
            if t in (A_IFNAME, A_IFINDEX, A_PORT, A_FWMARK, A_MODE, A_SERVER,
                     A_SERVER2, A_ALLOWED_MARKS, A_MANAGED, A_LOCAL_DISCOVERY,
                     A_HAIRPINNING, A_SERVERS, A_LOCAL, A_LINK):
                continue	# keep the device, its socket and its exposure
            data = bytes(rnd.getrandbits(8) for _ in range(rnd.choice([0, 1, 2, 3, 4, 5, 8, 16, 17, 40])))
            if rnd.random() < 0.3:
                data = nla(rnd.randint(0, 4), data, rnd.choice([0, NLA_F_NESTED]))
            body += nla(t, data, NLA_F_NESTED if rnd.random() < 0.3 else 0)
        if rnd.random() < 0.05:
            body = body[:rnd.randint(0, len(body))]
        dump = cmd in (CMD_DEV_GET, CMD_PEER_GET) and rnd.random() < 0.5
        try:
            g.do(cmd, body, dump)
        except OSError:
            pass
        answered += 1
    # back to known settings for what follows
    g.do(CMD_DEV_SET, name(dev) + nla(A_REFRESH_AUTO, u8(0)) +
         nla(A_REFRESH, u32(300)) + nla(A_MAX_PEERS, u32(65536)) +
         nla(A_RXMARK, u32(0)) + nla(A_POLICY, u8(0)) +
         nla(A_DORMANT_TIMEOUT, u32(0)))
    print("%d random messages answered" % answered)
    return 0


def run_setter(dev, secs, keep=None):
    """keep: a mark every authorized-marks list set keeps (the test's own)."""
    g = Genl()
    end = time.time() + secs
    i = ok = 0
    while time.time() < end:
        i += 1
        p = name(dev) + nla(A_REFRESH, u32(100 + i % 50)) + \
            nla(A_MAX_PEERS, u32(2000 + i % 100)) + nla(A_RXMARK, u32(i)) + \
            nla(A_ALLOWED_MARKS, b"".join(mark(j) for j in range(i % 4)) +
                (mark(keep) if keep is not None else b""), NLA_F_NESTED)
        g.do(CMD_DEV_SET, p)
        ok += 1
    print("%d sets" % ok)
    return 0


def run_dumper(dev, secs):
    g = Genl()
    end = time.time() + secs
    devs = peers = 0
    while time.time() < end:
        devs += len(g.do(CMD_DEV_GET, b"", dump=True))
        peers += len(g.do(CMD_PEER_GET, name(dev), dump=True))
    print("%d devices, %d peers dumped" % (devs, peers))
    return 0


if __name__ == "__main__":
    what, dev = sys.argv[1], sys.argv[2]
    if what == "cases":
        sys.exit(run_cases(dev))
    if what == "random":
        sys.exit(run_random(dev, int(sys.argv[3])))
    if what == "setter":
        sys.exit(run_setter(dev, float(sys.argv[3]),
                            int(sys.argv[4], 0) if len(sys.argv) > 4 else None))
    if what == "dumper":
        sys.exit(run_dumper(dev, float(sys.argv[3])))
    sys.exit(2)
