/* SPDX-License-Identifier: BSD-3-Clause */
/* RFC 8613 Appendix C known answers, shared by the library and the oscore-tool tests. */
#ifndef TEST_VECTORS_H
#define TEST_VECTORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

struct ctx_vector {
	const char *name;
	const char *secret, *salt, *id_ctx; /* id_ctx NULL = absent */
	const char *sender_id, *recipient_id;
	const char *info_sender_key, *info_recipient_key, *info_common_iv;
	const char *sender_key, *recipient_key, *common_iv;
	const char *sender_nonce_piv0, *recipient_nonce_piv0;
};

static const struct ctx_vector ctx_vectors[] = {
	{ "C.1.1", "0102030405060708090a0b0c0d0e0f10", "9e7ca92223786340", NULL, "", "01",
	  "8540f60a634b657910", "854101f60a634b657910", "8540f60a6249560d",
	  "f0910ed7295e6ad4b54fc793154302ff", "ffb14e093c94c9cac9471648b4f98710",
	  "4622d4dd6d944168eefb54987c", "4622d4dd6d944168eefb54987c",
	  "4722d4dd6d944169eefb54987c" },
	{ "C.1.2", "0102030405060708090a0b0c0d0e0f10", "9e7ca92223786340", NULL, "01", "",
	  "854101f60a634b657910", "8540f60a634b657910", "8540f60a6249560d",
	  "ffb14e093c94c9cac9471648b4f98710", "f0910ed7295e6ad4b54fc793154302ff",
	  "4622d4dd6d944168eefb54987c", "4722d4dd6d944169eefb54987c",
	  "4622d4dd6d944168eefb54987c" },
	{ "C.2.1", "0102030405060708090a0b0c0d0e0f10", "", NULL, "00", "01",
	  "854100f60a634b657910", "854101f60a634b657910", "8540f60a6249560d",
	  "321b26943253c7ffb6003b0b64d74041", "e57b5635815177cd679ab4bcec9d7dda",
	  "be35ae297d2dace910c52e99f9", "bf35ae297d2dace910c52e99f9",
	  "bf35ae297d2dace810c52e99f9" },
	{ "C.2.2", "0102030405060708090a0b0c0d0e0f10", "", NULL, "01", "00",
	  "854101f60a634b657910", "854100f60a634b657910", "8540f60a6249560d",
	  "e57b5635815177cd679ab4bcec9d7dda", "321b26943253c7ffb6003b0b64d74041",
	  "be35ae297d2dace910c52e99f9", "bf35ae297d2dace810c52e99f9",
	  "bf35ae297d2dace910c52e99f9" },
	{ "C.3.1", "0102030405060708090a0b0c0d0e0f10", "9e7ca92223786340", "37cbf3210017a2d3", "",
	  "01", "85404837cbf3210017a2d30a634b657910", "8541014837cbf3210017a2d30a634b657910",
	  "85404837cbf3210017a2d30a6249560d", "af2a1300a5e95788b356336eeecd2b92",
	  "e39a0c7c77b43f03b4b39ab9a268699f", "2ca58fb85ff1b81c0b7181b85e",
	  "2ca58fb85ff1b81c0b7181b85e", "2da58fb85ff1b81d0b7181b85e" },
	{ "C.3.2", "0102030405060708090a0b0c0d0e0f10", "9e7ca92223786340", "37cbf3210017a2d3", "01",
	  "", "8541014837cbf3210017a2d30a634b657910", "85404837cbf3210017a2d30a634b657910",
	  "85404837cbf3210017a2d30a6249560d", "e39a0c7c77b43f03b4b39ab9a268699f",
	  "af2a1300a5e95788b356336eeecd2b92", "2ca58fb85ff1b81c0b7181b85e",
	  "2da58fb85ff1b81d0b7181b85e", "2ca58fb85ff1b81c0b7181b85e" },
};

/* A request (C.4-C.6) protected by the client context `client` at SSN 20. */
struct req_vector {
	const char *name;
	int client, server;          /* indexes into ctx_vectors */
	bool kid_ctx;
	const char *plain, *protected_, *aad, *nonce, *option;
};

static const struct req_vector req_vectors[] = {
	{ "C.4", 0, 1, false, "44015d1f00003974396c6f63616c686f737483747631",
	  "44025d1f00003974396c6f63616c686f7374620914ff612f1092f1776f1c1668b3825e",
	  "8368456e63727970743040488501810a40411440", "4622d4dd6d944168eefb549868", "0914" },
	{ "C.5", 2, 3, false, "440171c30000b932396c6f63616c686f737483747631",
	  "440271c30000b932396c6f63616c686f737463091400ff4ed339a5a379b0b8bc731fffb0",
	  "8368456e63727970743040498501810a4100411440", "bf35ae297d2dace910c52e99ed", "091400" },
	{ "C.6", 4, 5, true, "44012f8eef9bbf7a396c6f63616c686f737483747631",
	  "44022f8eef9bbf7a396c6f63616c686f73746b19140837cbf3210017a2d3ff72cd7273fd331ac45cffbe55c3",
	  "8368456e63727970743040488501810a40411440", "2ca58fb85ff1b81c0b7181b84a",
	  "19140837cbf3210017a2d3" },
};

/* Responses to C.4 from the server context C.1.2: C.7 reuses the request nonce, C.8 has its own
 * Partial IV 0. */
struct resp_vector {
	const char *name;
	bool own_piv;
	const char *plain, *protected_, *nonce;
};

static const struct resp_vector resp_vectors[] = {
	{ "C.7", false, "64455d1f00003974ff48656c6c6f20576f726c6421",
	  "64445d1f0000397490ffdbaad1e9a7e7b2a813d3c31524378303cdafae119106",
	  "4622d4dd6d944168eefb549868" },
	{ "C.8", true, "64455d1f00003974ff48656c6c6f20576f726c6421",
	  "64445d1f00003974920100ff4d4c13669384b67354b2b6175ff4b8658c666a6cf88e",
	  "4722d4dd6d944169eefb54987c" },
};

static inline int hex2bin(const char *s, uint8_t *out, size_t cap)
{
	size_t n = strlen(s) / 2, i;

	if (n > cap)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return (int)n;
}

static inline void bin2hex(const uint8_t *b, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * n] = '\0';
}

#endif
