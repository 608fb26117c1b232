#!/usr/bin/python3
# Writes the seed corpus of fuzz_ace_authz (tests/fuzz/corpus-ace/) with Debian's python3-cbor2
# and python3-cryptography: an implementation independent of the C code, so the valid tokens
# here also cross-check our COSE (test_ace_token reads two of them). The first byte of each file
# selects the harness mode (0 authz-info payload, 1 claims set, 2 COSE, 3 AIF).
# Run from the repository root: /usr/bin/python3 tests/fuzz/make-ace-corpus.py
import hashlib, hmac, os
import cbor2
from cryptography.hazmat.primitives.ciphers.aead import AESCCM

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus-ace")
K128 = bytes.fromhex("231f4c4d4d3051fdc2ec0a3851d5b383")
IV = bytes.fromhex("99a0d7846e762c49ffe8a63e0b")

def enc0(claims, kid=b"Symmetric128", tagged=False):
    prot = cbor2.dumps({1: 10})
    aad = cbor2.dumps(["Encrypt0", prot, b""])
    ct = AESCCM(K128, tag_length=8).encrypt(IV, cbor2.dumps(claims), aad)
    msg = [prot, {4: kid, 5: IV}, ct]
    return cbor2.dumps(cbor2.CBORTag(16, msg) if tagged else msg)

def mac0(claims):  # AS 1 of the harness: HMAC 256/64 with the same key, no kid
    prot = cbor2.dumps({1: 4})
    payload = cbor2.dumps(claims)
    tag = hmac.new(K128, cbor2.dumps(["MAC0", prot, b"", payload]), hashlib.sha256).digest()[:8]
    return cbor2.dumps([prot, {}, payload, tag])

def claims(extra=None):
    c = {1: "coap://as.example.com", 3: "coap://light.example.com", 4: 1444064944,
         9: "r", 8: {4: {0: b"\x01", 2: K128, 5: b"\xaa\xbb", 4: 10, 3: 5}}}
    c.update(extra or {})
    return c

def authz(tok, n1=b"\x01\x8a\x27\x8f\x7f\xaa\xb5\x5a", id1=b"\x16\x45"):
    m = {1: tok}
    if n1 is not None:
        m[40] = n1
    if id1 is not None:
        m[43] = id1
    return cbor2.dumps(m)

A1 = bytes.fromhex("a70175636f61703a2f2f61732e6578616d706c652e636f6d02656572696b77037818636f61703a"
                   "2f2f6c696768742e6578616d706c652e636f6d041a5612aeb0051a5610d9f0061a5610d9f007420b71")
A3 = bytes.fromhex("d28443a10126a104524173796d6d657472696345434453413235365850") + A1 + bytes.fromhex(
    "58405427c1ff28d23fbad1f29c4c7c6a555e601d6fa29f9179bc3d7438bacaca5acd08c8d4d4f96131680c429a01"
    "f85951ecee743a52b9b63632c57209120e1c9e30")
A5 = bytes.fromhex("d08343a1010aa2044c53796d6d6574726963313238054d99a0d7846e762c49ffe8a63e0b5858b918"
                   "a11fd81e438b7f973d9e2e119bcb22424ba0f38a80f27562f400ee1d0d6c0fdb559c02421fd384fc"
                   "2ebe22d7071378b0ea7428fff157444d45f7e6afcda1aae5f6495830c58627087fc5b4974f319a87"
                   "07a635dd643b")
AIF = cbor2.dumps([["/s/temp", 1], ["/a/led", 5], ["/dtls", 2]])
T2_KEY = bytes.fromhex("a501020241322001215820bbc34960526ea4d32e940cad2a234148ddc21791a12afbcbac93"
                       "622046dd44f02258204519e257236b2a0ce2023f0931f1f386ca7afda64fcde0108c224c51"
                       "eabf6072")

seeds = {
    "0-encrypt0": b"\0" + authz(enc0(claims())),
    "0-encrypt0-tagged-aif": b"\0" + authz(enc0(claims({9: AIF}), tagged=True)),
    "0-mac0-exi": b"\0" + authz(mac0(claims({40: 3600, 7: b"\xaa\x07"}))),
    "0-update-kid": b"\0" + authz(enc0(claims({8: {3: b"\x01"}})), None, None),
    "0-rfc8392-a5": b"\0" + authz(A5),
    "0-no-n1": b"\0" + authz(enc0(claims()), None),
    "1-claims": b"\1" + cbor2.dumps(claims()),
    "1-claims-ctxid": b"\1" + cbor2.dumps(claims({8: {4: {0: b"\x02", 2: K128, 6: b"\x37",
                                                          1: 1, 3: -10}}})),
    "2-rfc8392-a3": b"\2" + A3,
    "2-rfc8392-a5": b"\2" + A5,
    "2-cose-key-ec2": b"\2" + T2_KEY,
    "3-aif-rfc9237": b"\3" + AIF,
    # a token's record in the state database (control/ace/ctl_ace_grant.h), same selector
    "3-grant": b"\3" + cbor2.dumps([1, "as1", 1700000000, b"\x01\x02", b"\xc0",
                                   [["/s/temp", 1], ["/a/l%20ed?x=1", 5]]]),
}
os.makedirs(OUT, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
print(f"make-ace-corpus: {len(seeds)} seeds in {OUT}")
