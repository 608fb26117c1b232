#!/usr/bin/python3
# Fresh CCS credentials (RFC 9528 §3.5.2: {2: sub, 8: {1: COSE_Key with kid}}) for the live EDHOC
# tests, in the gateway's "edhoc" format: {"ccs": hex, "private_key": hex}.
#   edhoc_keys.py NAME KID_BYTE   prints {"own": [3 credentials], "pub": [the same without keys]}
# One credential per curve a Responder or Initiator of suites 0-3 and methods 0-3 needs: Ed25519
# (suite 0/1 signatures), X25519 (suite 0/1 static DH), P-256 (suite 2/3 signatures and DH).
import json, sys
import cbor2
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, x25519
from cryptography.hazmat.primitives import serialization as ser

RAW = dict(encoding=ser.Encoding.Raw, format=ser.PublicFormat.Raw)


def okp(priv, crv):
    x = priv.public_key().public_bytes(**RAW)
    d = priv.private_bytes(ser.Encoding.Raw, ser.PrivateFormat.Raw, ser.NoEncryption())
    return {1: 1, -1: crv, -2: x}, d


def p256():
    priv = ec.generate_private_key(ec.SECP256R1())
    n = priv.public_key().public_numbers()
    d = priv.private_numbers().private_value.to_bytes(32, "big")
    return {1: 2, -1: 1, -2: n.x.to_bytes(32, "big"), -3: n.y.to_bytes(32, "big")}, d


name, kid0 = sys.argv[1], int(sys.argv[2], 0)
own, pub = [], []
for i, (key, d) in enumerate([okp(ed25519.Ed25519PrivateKey.generate(), 6),
                              okp(x25519.X25519PrivateKey.generate(), 4), p256()]):
    key[2] = bytes([kid0 + i])
    ccs = cbor2.dumps({2: "%s-%d" % (name, i), 8: {1: key}}).hex()
    own.append({"ccs": ccs, "private_key": d.hex()})
    pub.append({"ccs": ccs})
print(json.dumps({"own": own, "pub": pub}))
