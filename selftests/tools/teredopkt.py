# SPDX-License-Identifier: GPL-2.0
"""Builders of the Teredo packets the guest tests forge (RFC 4380).

Every function returns bytes: an IPv6 packet, or a Teredo header to put
in front of one, or a Teredo address.  The tests send them as the
payload of a UDP datagram (teredo_socket) or inside a raw IPv4 packet
(ipv4, udp).  lib.sh puts this directory on PYTHONPATH, so a test's
inline script starts with "from teredopkt import *".
"""

import ipaddress
import socket
import struct

__all__ = ["csum", "a6", "ip6", "icmp6", "echo", "bubble", "obfuscate",
           "teredo", "auth", "origin", "rs", "ra", "udp", "ipv4",
           "teredo_socket", "TEREDO_PREFIX", "TEREDO_PORT"]

TEREDO_PREFIX = b"\x20\x01\x00\x00"
TEREDO_PORT = 3544


def csum(data):
    """The Internet checksum (RFC 1071) of data."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def a6(text):
    """An IPv6 address in text, packed."""
    return ipaddress.IPv6Address(text).packed


def ip6(src, dst, nxt, payload, hlim=64, plen=None):
    """An IPv6 header and payload; plen overrides the payload length."""
    if plen is None:
        plen = len(payload)
    return struct.pack("!IHBB", 6 << 28, plen, nxt, hlim) + src + dst + payload


def icmp6(src, dst, body, hlim=64):
    """An ICMPv6 message (body starts with type, code, 2 checksum bytes)."""
    pseudo = src + dst + struct.pack("!I3xB", len(body), 58)
    c = csum(pseudo + body)
    return ip6(src, dst, 58, body[:2] + struct.pack("!H", c) + body[4:], hlim)


def echo(src, dst, size=8, ident=1, fill=b"x"):
    """An ICMPv6 echo request with size bytes of data."""
    return icmp6(src, dst, struct.pack("!BBHHH", 128, 0, 0, ident, 1) + fill * size)


def bubble(src, dst):
    """A bubble: an IPv6 header, no next header, no payload."""
    return ip6(src, dst, 59, b"")


def obfuscate(ip, port):
    """The obfuscated port and IPv4 address (6 bytes) of a mapping."""
    return struct.pack("!H", port ^ 0xffff) + \
        bytes(b ^ 0xff for b in socket.inet_aton(ip))


def teredo(server, ip, port, flags=0):
    """The Teredo address of a client of server mapped to ip:port."""
    return TEREDO_PREFIX + socket.inet_aton(server) + \
        struct.pack("!H", flags) + obfuscate(ip, port)


def auth(idl=0, aul=0, nonce=b"N" * 8, confirmation=0):
    """An authentication indicator with idl/aul bytes of id and value."""
    return b"\x00\x01" + bytes([idl, aul]) + b"i" * idl + b"a" * aul + \
        nonce + bytes([confirmation])


def origin(ip, port):
    """An origin indication naming ip:port."""
    return b"\x00\x00" + obfuscate(ip, port)


def rs(src=None, hlim=255):
    """A router solicitation to ff02::2 (from fe80::ffff:ffff:ffff)."""
    if src is None:
        src = a6("fe80::ffff:ffff:ffff")
    return icmp6(src, a6("ff02::2"), struct.pack("!BBHI", 133, 0, 0, 0), hlim)


def ra(server="192.0.2.1"):
    """A router advertisement with the Teredo prefix of server."""
    pio = struct.pack("!BBBBIII", 3, 4, 64, 0x40, 3600, 3600, 0) + \
        TEREDO_PREFIX + socket.inet_aton(server) + b"\0" * 8
    body = struct.pack("!BBHBBHII", 134, 0, 0, 0, 0, 1800, 0, 0) + pio
    return icmp6(a6("fe80::1"), a6("fe80::ffff:ffff:ffff"), body, 255)


def udp(sport, dport, payload):
    """A UDP header (checksum 0: none, allowed over IPv4) and payload."""
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def ipv4(src, dst, data, off=0, mf=False, ident=0x4242, proto=17):
    """An IPv4 header (checksum left to the raw socket) and data."""
    flags = (0x2000 if mf else 0) | (off // 8)
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(data), ident,
                       flags, 64, proto, 0, socket.inet_aton(src),
                       socket.inet_aton(dst)) + data


def teredo_socket(ip, port):
    """A UDP socket bound to ip:port (even if a server left it a moment ago)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((ip, port))
    return s
