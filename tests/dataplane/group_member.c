/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * group_client's member mode: a test-side member of group-oscore-vectors.txt B.0's group that
 * listens on a multicast address, verifies each group-mode request the gateway (member 51) sends
 * there with the project's osc_group code, and answers it (RFC 10021 §7.3, §8.3):
 *
 *   group_client member ID SEED CRED BIND MCAST PORT COUNT [pairwise] [bad-sig] [dup]
 *     ID: our Sender ID (hex); SEED: our Ed25519 seed (hex); CRED: our CCS (hex), as the gateway
 *     has it; BIND: our unicast address (answers leave from BIND:PORT); MCAST: the group address
 *     joined on BIND's interface; COUNT: requests to serve before exiting (10 s without one: exit
 *     1). pairwise: answer in pairwise mode; bad-sig: flip the answer's last byte (its encrypted
 *     countersignature); dup: send each answer twice; delay=MS: wait that long before answering
 *     (a late answer).
 *
 * The answer is a NON 2.05 with Content-Format 0 and the payload "on ID". Prints one line per
 * request: "REQUEST c.dd /path" once it verified, "REFUSED err" when it did not.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "../oscore/group_fixture.h"
#include "oscore/osc_coap.h"
#include "oscore/osc_group_msg.h"

int group_member_main(int argc, char **argv);

struct member {
	struct osc_group g;
	struct osc_member m51;
	const char *id;
	bool pairwise, bad_sig, dup;
	unsigned delay_ms;
	int rx, tx;
};

static int udp_socket(uint32_t addr, uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr.s_addr = addr };
	struct timeval tv = { .tv_sec = 10 };
	int one = 1, fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("group_member: socket");
		exit(2);
	}
	return fd;
}

/* rx: INADDR_ANY:port joined to mcast on bind's interface; tx: bind:port. */
static void sockets(struct member *mb, const char *bind, const char *mcast, uint16_t port)
{
	struct ip_mreq mr;

	if (inet_pton(AF_INET, mcast, &mr.imr_multiaddr) != 1 ||
	    inet_pton(AF_INET, bind, &mr.imr_interface) != 1) {
		fprintf(stderr, "group_member: bad address\n");
		exit(2);
	}
	mb->rx = udp_socket(htonl(INADDR_ANY), port);
	if (setsockopt(mb->rx, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr))) {
		perror("group_member: IP_ADD_MEMBERSHIP");
		exit(2);
	}
	mb->tx = udp_socket(mr.imr_interface.s_addr, port);
}

/* Our answer to the verified plain request q, protected for ex into out[0..cap). */
static int protect_answer(struct member *mb, struct cry_engine *e, const struct osc_coap_msg *q,
			  const struct osc_group_exchange *ex, uint8_t *out, size_t cap)
{
	static const uint8_t cf = 0;
	char payload[32];
	uint8_t plain[128];
	struct osc_coap_msg a = { .type = COAP_NON, .code = COAP_CONTENT, .mid = (uint16_t)rand(),
				  .token = q->token, .tkl = q->tkl, .n_opts = 1 };
	int n;

	snprintf(payload, sizeof(payload), "on %s", mb->id);
	a.opts[0] = (struct osc_coap_opt){ .num = COAP_OPT_CONTENT_FORMAT, .val = &cf, .len = 0 };
	a.payload = (const uint8_t *)payload;
	a.payload_len = (uint32_t)strlen(payload);
	n = osc_coap_encode(plain, sizeof(plain), &a);
	if (n < 0)
		return -1;
	n = osc_group_protect_response(e, &mb->g, &mb->m51, !mb->pairwise, ex, plain, (size_t)n,
				       out, cap, 0);
	if (n > 0 && mb->bad_sig)
		out[n - 1] ^= 0x01;
	return n;
}

/* "/a/b" of q into path[0..cap). */
static void path_of(const struct osc_coap_msg *q, char *path, size_t cap)
{
	size_t k = 0;
	unsigned i;

	path[0] = 0;
	for (i = 0; i < q->n_opts; i++)
		if (q->opts[i].num == COAP_OPT_URI_PATH && k + q->opts[i].len + 2 < cap) {
			path[k++] = '/';
			memcpy(path + k, q->opts[i].val, q->opts[i].len);
			k += q->opts[i].len;
			path[k] = 0;
		}
}

/* One request: verify, answer. Returns 0 when one was received (verified or not), -1 on
 * timeout. */
static int serve_one(struct member *mb, struct cry_engine *e)
{
	uint8_t req[1500], plain[1500], out[1500];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	struct osc_member *m = &mb->m51;
	struct osc_group_exchange ex;
	struct osc_coap_msg q;
	char path[128];
	ssize_t n = recvfrom(mb->rx, req, sizeof(req), 0, (struct sockaddr *)&from, &fl);
	int p;

	if (n <= 0)
		return -1;
	p = osc_group_unprotect(e, &m, 1, NULL, req, (size_t)n, plain, sizeof(plain), &ex);
	if (p < 0 || osc_coap_parse(&q, plain, (size_t)p) != OSC_COAP_OK) {
		printf("REFUSED %d\n", p);
		return 0;
	}
	path_of(&q, path, sizeof(path));
	printf("REQUEST %u.%02u %s\n", q.code >> 5, q.code & 31, path);
	fflush(stdout);
	p = protect_answer(mb, e, &q, &ex, out, sizeof(out));
	usleep(mb->delay_ms * 1000u);
	if (p > 0) {
		sendto(mb->tx, out, (size_t)p, 0, (struct sockaddr *)&from, fl);
		if (mb->dup)
			sendto(mb->tx, out, (size_t)p, 0, (struct sockaddr *)&from, fl);
	}
	fflush(stdout);
	return 0;
}

int group_member_main(int argc, char **argv)
{
	static uint8_t cred[OSC_CRED_MAX];
	struct cry_engine *e = cry_engine_new();
	struct member mb = { .id = argc > 2 ? argv[2] : "" };
	unsigned count, i;
	size_t cred_len;

	if (argc < 9 || !e) {
		cry_engine_free(e);
		fprintf(stderr, "usage: group_client member ID SEED CRED BIND MCAST PORT COUNT "
			"[pairwise] [bad-sig] [dup]\n");
		return 2;
	}
	for (i = 9; i < (unsigned)argc; i++) {
		mb.pairwise |= !strcmp(argv[i], "pairwise");
		mb.bad_sig |= !strcmp(argv[i], "bad-sig");
		mb.dup |= !strcmp(argv[i], "dup");
		if (!strncmp(argv[i], "delay=", 6))
			mb.delay_ms = (unsigned)atoi(argv[i] + 6);
	}
	cred_len = gfix_hex(argv[4], cred, sizeof(cred));
	if (gfix_other(&mb.g, &mb.m51, argv[2], argv[3], cred, cred_len)) {
		cry_engine_free(e);
		return fprintf(stderr, "group_member: derivation failed\n"), 2;
	}
	sockets(&mb, argv[5], argv[6], (uint16_t)atoi(argv[7]));
	printf("LISTENING\n");
	fflush(stdout);
	count = (unsigned)atoi(argv[8]);
	for (i = 0; i < count; i++)
		if (serve_one(&mb, e)) {
			printf("TIMEOUT\n");
			break;
		}
	osc_member_wipe(&mb.m51);
	osc_group_wipe(&mb.g);
	cry_engine_free(e);
	return i < count ? 1 : 0;
}
