#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The test side of ACE (RFC 9200 + RFC 9203) against oscore-gw: an authorization server that
issues CWTs (COSE_Encrypt0 AES-CCM-16-64-128 with a symmetric key, or COSE_Sign1 ES256) and the
client that POSTs them to /authz-info over UDP and derives the OSCORE context (RFC 9203 §4.3).
Debian's python3-cbor2 and python3-cryptography only (run it with /usr/bin/python3).

  ace_peer.py genkey KEYFILE                 ES256 key pair; prints "x y" (hex) for the gateway
  ace_peer.py post ADDR PORT [token options] [--n1 HEX|none] [--id1 HEX|none] [--garbage] [--cf N]
              [--out CTX.json]               prints "code C.DD" and the answer's payload as hex;
                                             on 2.01 writes the context (gateway view) to CTX.json
  ace_peer.py get ADDR PORT SEGMENT           unprotected GET /SEGMENT: prints code and payload
  ace_peer.py token [token options]          prints the update payload {1: token} as hex
  ace_peer.py flood ADDR PORT --rate R --seconds S [token options]
                                             R tokens per second for S seconds (each for its own
                                             PoP key, built beforehand), answers counted; prints
                                             "flood: sent N answered M created K in T s"
token options: --as enc|sign --key HEX|KEYFILE --kid TEXT --iss S --aud S --exp SECONDS (from now;
  negative: expired) --scope S --id HEX --ms HEX --salt HEX --tamper (flip one bit of the tag or
  signature)
"""
import argparse
import random
import socket
import sys
import time

import cbor2
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESCCM


def genkey(path):
    k = ec.generate_private_key(ec.SECP256R1())
    with open(path, "wb") as f:
        f.write(k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()))
    n = k.public_key().public_numbers()
    print(n.x.to_bytes(32, "big").hex(), n.y.to_bytes(32, "big").hex())


def claims(a):
    osc = {0: bytes.fromhex(a.id), 2: bytes.fromhex(a.ms)}
    if a.salt:
        osc[5] = bytes.fromhex(a.salt)
    now = int(time.time())
    c = {1: a.iss, 3: a.aud, 4: now + a.exp, 6: now, 8: {4: osc}, 38: 2}
    if a.scope is not None:
        c[9] = a.scope
    if a.update:  # update of access rights: cnf names the Input Material by its id (§4.1)
        c[8] = {3: bytes.fromhex(a.id)}
    return cbor2.dumps(c)


def flip(b):
    return b[:-1] + bytes([b[-1] ^ 1])


def token(a):
    payload = claims(a)
    if a.as_ == "enc":  # COSE_Encrypt0 (RFC 9052 §5.2), alg 10 (RFC 9053 §4.2)
        prot = cbor2.dumps({1: 10})
        iv = random.randbytes(13)
        aad = cbor2.dumps(["Encrypt0", prot, b""])
        ct = AESCCM(bytes.fromhex(a.key), tag_length=8).encrypt(iv, payload, aad)
        if a.tamper:
            ct = flip(ct)
        return cbor2.dumps(cbor2.CBORTag(16, [prot, {4: a.kid.encode(), 5: iv}, ct]))
    # COSE_Sign1 (RFC 9052 §4.2), ES256 with r || s (RFC 9053 §2.1)
    with open(a.key, "rb") as f:
        k = serialization.load_pem_private_key(f.read(), None)
    prot = cbor2.dumps({1: -7})
    r, s = decode_dss_signature(k.sign(cbor2.dumps(["Signature1", prot, b"", payload]),
                                       ec.ECDSA(hashes.SHA256())))
    sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    if a.tamper:
        sig = flip(sig)
    return cbor2.dumps([prot, {}, payload, sig])


def coap_post(addr, port, payload, cf, code=0x02, path=b"authz-info"):
    """Unprotected CON request (POST /authz-info, Content-Format cf, payload by default; path is
    one short segment); returns (code, payload) of the answer."""
    mid, tok = random.randrange(65536), random.randbytes(4)
    msg = bytes([0x44, code, mid >> 8, mid & 255]) + tok + bytes([0xB0 | len(path)]) + path
    if payload:
        msg += bytes([0x11, cf]) + b"\xff" + payload
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    for _ in range(3):
        s.sendto(msg, (addr, port))
        try:
            ans = s.recv(2048)
        except socket.timeout:
            continue
        if ans[2:4] == msg[2:4] or ans[4:4 + (ans[0] & 15)] == tok:
            return ans[1], body(ans)
    return None, b""


def body(m):
    i = 4 + (m[0] & 15)
    while i < len(m) and m[i] != 0xFF:
        d, n = m[i] >> 4, m[i] & 15
        i += 1
        for x in (d, n):
            if x == 13:
                i += 1
            elif x == 14:
                i += 2
        i += (n if n < 13 else (m[i - 1] + 13 if n == 13 else
                                 int.from_bytes(m[i - 2:i], "big") + 269))
    return m[i + 1:]


def post(a):
    p = {1: token(a)}
    n1 = None if a.n1 == "none" else bytes.fromhex(a.n1)
    id1 = None if a.id1 == "none" else bytes.fromhex(a.id1)
    if n1 is not None:
        p[40] = n1
    if id1 is not None:
        p[43] = id1
    data = b"\x01\x02garbage" if a.garbage else cbor2.dumps(p)
    code, pl = coap_post(a.addr, a.port, data, a.cf)
    if code is None:
        print("no answer")
        return 1
    print("code %d.%02d payload %s" % (code >> 5, code & 31, pl.hex()))
    if code == 0x41 and a.out:
        ans = cbor2.loads(pl)
        n2, id2 = ans[42], ans[44]
        salt = bytes.fromhex(a.salt) if a.salt else b""
        ms_salt = cbor2.dumps(salt) + cbor2.dumps(n1) + cbor2.dumps(n2)  # §4.3
        import json
        with open(a.out, "w") as f:  # the gateway's view: Sender ID = ID1, Recipient ID = ID2
            json.dump([{"master_secret": a.ms, "master_salt": ms_salt.hex(),
                        "sender_id": id1.hex(), "recipient_id": id2.hex()}], f)
        print("n2 %s id2 %s" % (n2.hex(), id2.hex()))
    return 0


def flood(a):
    """Paced unprotected POSTs (NON, so that nobody retransmits) of distinct tokens."""
    n = int(a.rate * a.seconds)
    msgs = []
    for i in range(n):
        a.id = "%06x" % (0xf00000 + i)
        p = cbor2.dumps({1: token(a), 40: bytes.fromhex(a.n1), 43: bytes.fromhex(a.id1)})
        msgs.append(bytes([0x54, 0x02, (i >> 8) & 255, i & 255]) + i.to_bytes(4, "big") +
                    b"\xbaauthz-info" + bytes([0x11, 19]) + b"\xff" + p)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setblocking(False)
    codes = {}
    print("flood: ready", flush=True)
    t0 = time.monotonic()
    for i, m in enumerate(msgs):
        while time.monotonic() < t0 + i / a.rate:
            try:
                ans = s.recv(2048)
                codes[ans[1]] = codes.get(ans[1], 0) + 1
            except BlockingIOError:
                time.sleep(0.0002)
        s.sendto(m, (a.addr, a.port))
    t1 = time.monotonic()
    s.settimeout(1)
    try:
        while True:
            ans = s.recv(2048)
            codes[ans[1]] = codes.get(ans[1], 0) + 1
    except socket.timeout:
        pass
    print("flood: sent %d answered %d created %d in %.2f s" %
          (n, sum(codes.values()), codes.get(0x41, 0), t1 - t0))
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd")
    ap.add_argument("rest", nargs="*")
    ap.add_argument("--as", dest="as_", default="enc")
    ap.add_argument("--key", default="")
    ap.add_argument("--kid", default="as1")
    ap.add_argument("--iss", default="coap://as.example")
    ap.add_argument("--aud", default="coap://gw.example")
    ap.add_argument("--exp", type=int, default=3600)
    ap.add_argument("--scope", default="rTempC")
    ap.add_argument("--id", default="c0")
    ap.add_argument("--ms", default="f9af838368e353e78888e1426bd94e6f")
    ap.add_argument("--salt", default="")
    ap.add_argument("--tamper", action="store_true")
    ap.add_argument("--update", action="store_true")
    ap.add_argument("--n1", default="018a278f7faab55a")
    ap.add_argument("--id1", default="01")
    ap.add_argument("--garbage", action="store_true")
    ap.add_argument("--out", default="")
    ap.add_argument("--cf", type=int, default=19)
    ap.add_argument("--rate", type=float, default=1000)
    ap.add_argument("--seconds", type=float, default=1)
    a = ap.parse_args()
    if a.cmd == "genkey":
        genkey(a.rest[0])
        return 0
    if a.cmd == "get":  # get ADDR PORT SEGMENT: an unprotected GET
        code, pl = coap_post(a.rest[0], int(a.rest[1]), b"", 0, 0x01, a.rest[2].encode())
        print("code %d.%02d payload %s" % (code >> 5, code & 31, pl.hex()) if code else "none")
        return 0
    if a.cmd == "token":
        a.update = True
        print(cbor2.dumps({1: token(a)}).hex())
        return 0
    a.addr, a.port = a.rest[0], int(a.rest[1])
    if a.cmd == "flood":
        return flood(a)
    return post(a)


if __name__ == "__main__":
    sys.exit(main())
