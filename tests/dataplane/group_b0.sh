# Sourced (bash): group-oscore-vectors.txt B.0's group as its Group Manager hands it to member 51,
# the gateway (group_client is member 0a; tests/oscore/group_fixture.c is the C side).
#   group_b0 [GID [SECRET [EXTRA]]]: the group object (configuration "groups" format) on stdout,
#   with another Gid or Master Secret (a rekey), and EXTRA JSON members (e.g. '"replay_window": 192,')
B0_SECRET=11223344556677889900aabbccddeeff
B0_PRIV=70559b9eecdc578d5fc2ca37f9969630029f1592aff3306392ab15546c6a184a
group_b0() {
	cat <<JSON
{ "name": "floor3", "gid": "${1:-dd11}", "master_secret": "${2:-$B0_SECRET}",
  "master_salt": "1f2e3d4c5b6a7081", ${3:-}
  "group_encryption_alg": "AES-CCM-16-64-128", "signature_alg": "EdDSA",
  "aead_alg": "AES-CCM-16-64-128", "pairwise_key_agreement_alg": "ECDH-SS-HKDF-256",
  "sender_id": "51", "private_key": "$B0_PRIV",
  "cred": "a108a101a40101032720062158202668ba6ca302f14e952228da1250a890c143fdba4daed27246188b9e42c94b6d",
  "gm_cred": "a108a101a40101032720062158205394e43633cdac96f05120ea9f21307c9355a1b66b60a834b53e9bf60b1fb7df",
  "members": [
    { "sender_id": "0a", "cred": "a108a101a4010103272006215820ce616f28426ef24edb51dbcef7a23305f886f657959d4df889ddfc0255042159" },
    { "sender_id": "52", "cred": "a108a101a40101032720062158205394e43633cdac96f05120ea9f21307c9355a1b66b60a834b53e9bf60b1fb7df" } ] }
JSON
}
