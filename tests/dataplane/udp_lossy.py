#!/usr/bin/python3
# A UDP relay in front of the upstream for test_fwd_upstream.sh (issue 10 item 9): it listens on
# LISTEN (ADDR:PORT), passes every datagram to TARGET and the answers back, except that it
# drops the first DROP datagrams it receives from the gateway (a lost CON request, RFC 7252
# §4.2), or, with --rst, answers every CON with a RST of its Message ID (§4.2) instead of passing
# it on. Prints one line per dropped, reset or relayed datagram; runs until killed (bounded by the
# test's timeout). "ready" once it listens.
#   udp_lossy.py LISTEN TARGET [--drop N] [--rst]
import argparse, select, socket, sys

def addr(s):
    h, p = s.rsplit(":", 1)
    return (h, int(p))

ap = argparse.ArgumentParser()
ap.add_argument("listen", type=addr)
ap.add_argument("target", type=addr)
ap.add_argument("--drop", type=int, default=0)
ap.add_argument("--rst", action="store_true")
a = ap.parse_args()
front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
front.bind(a.listen)
back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
back.connect(a.target)
peer, seen = None, 0
print("ready", flush=True)
while True:
    r, _, _ = select.select([front, back], [], [], 60)
    if not r:
        sys.exit(0)
    if back in r:
        data = back.recv(2048)
        if peer:
            front.sendto(data, peer)
    if front in r:
        data, peer = front.recvfrom(2048)
        seen += 1
        mid = int.from_bytes(data[2:4], "big") if len(data) >= 4 else -1
        if a.rst and len(data) >= 4 and (data[0] >> 4) & 3 == 0:
            front.sendto(bytes([0x70, 0, data[2], data[3]]), peer)
            print("reset mid", mid, flush=True)
        elif seen <= a.drop:
            print("dropped mid", mid, flush=True)
        else:
            back.send(data)
            print("relayed mid", mid, flush=True)
