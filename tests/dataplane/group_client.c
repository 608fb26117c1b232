/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A test-side Group OSCORE member (RFC 10021): member 0a of group-oscore-vectors.txt B.0's group
 * (tests/oscore/group_fixture.c), which the gateway joins as member 51. Sends one CON GET /tv1
 * over UDP, protected with the project's osc_group code, and says what came back:
 *
 *   group_client ADDR PORT MODE SSN [bad-sig] [kid=HEX] [gid=HEX] [show-from]
 *     MODE group | pairwise (towards 51); SSN: the Sender Sequence Number to use (replays reuse
 *     one); bad-sig flips the encrypted countersignature's last byte; kid/gid replace our Sender
 *     ID or the Gid after derivation (an unknown member, a wrong group). ADDR may be a multicast
 *     address (RFC 10021 §7); show-from appends " from ADDR" (where the answer came from).
 *
 * Prints "VERIFIED c.dd" (an answer that verifies as 51's, inner code), "UNVERIFIED c.dd" (an
 * answer that does not: its outer code), or "NONE" (nothing within one second). Exits 0 after
 * printing, 2 on bad usage or a local failure.
 *
 *   group_client member ...   a member listening on a multicast address (group_member.c)
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
#include "oscore/osc_group_msg.h"

int group_member_main(int argc, char **argv);

static char from_addr[INET_ADDRSTRLEN];

struct opts {
	bool pairwise, bad_sig, show_from;
	uint64_t ssn;
	uint8_t kid[OSC_ID_MAX], gid[OSC_ID_CTX_MAX];
	size_t kid_len, gid_len;
};

static int usage(void)
{
	fprintf(stderr, "usage: group_client ADDR PORT group|pairwise SSN [bad-sig] [kid=HEX] "
		"[gid=HEX]\n");
	return 2;
}

static int parse(int argc, char **argv, struct opts *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	if (argc < 5 || (strcmp(argv[3], "group") && strcmp(argv[3], "pairwise")))
		return -1;
	o->pairwise = !strcmp(argv[3], "pairwise");
	o->ssn = strtoull(argv[4], NULL, 10);
	for (i = 5; i < argc; i++) {
		if (!strcmp(argv[i], "bad-sig"))
			o->bad_sig = true;
		else if (!strcmp(argv[i], "show-from"))
			o->show_from = true;
		else if (!strncmp(argv[i], "kid=", 4))
			o->kid_len = gfix_hex(argv[i] + 4, o->kid, sizeof(o->kid));
		else if (!strncmp(argv[i], "gid=", 4))
			o->gid_len = gfix_hex(argv[i] + 4, o->gid, sizeof(o->gid));
		else
			return -1;
	}
	return 0;
}

/* The request, protected by 0a (with the overrides) into out[0..cap). */
static int protect(struct gfix *f, struct cry_engine *e, const struct opts *o, uint8_t *out,
		   size_t cap, struct osc_group_exchange *ex)
{
	uint8_t in[64];
	size_t n = gfix_hex("410100034bb3747631", in, sizeof(in)); /* CON GET /tv1, token 4b */
	int len;

	f->g0a.ssn = o->ssn;
	if (o->kid_len) {
		memcpy(f->g0a.sender_id, o->kid, o->kid_len);
		f->g0a.sender_id_len = (uint8_t)o->kid_len;
	}
	if (o->gid_len) {
		memcpy(f->g0a.gid, o->gid, o->gid_len);
		f->g0a.gid_len = (uint8_t)o->gid_len;
	}
	len = osc_group_protect_request(e, &f->g0a, o->pairwise ? &f->m51 : NULL, in, n, out, cap,
					ex);
	if (len > 0 && o->bad_sig)
		out[len - 1] ^= 0x01;
	return len;
}

/* One datagram to ADDR:PORT and its answer (1 s). Returns the answer's length, 0 for none. */
static int exchange(const char *addr, const char *port, const uint8_t *req, size_t len,
		    uint8_t *ans, size_t cap)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port)) };
	struct timeval tv = { .tv_sec = 1 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in src;
	socklen_t sl = sizeof(src);
	ssize_t n;

	if (fd < 0 || inet_pton(AF_INET, addr, &sa.sin_addr) != 1 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    sendto(fd, req, len, 0, (struct sockaddr *)&sa, sizeof(sa)) != (ssize_t)len) {
		perror("group_client");
		exit(2);
	}
	n = recvfrom(fd, ans, cap, 0, (struct sockaddr *)&src, &sl);
	if (n > 0)
		inet_ntop(AF_INET, &src.sin_addr, from_addr, sizeof(from_addr));
	close(fd);
	return n > 0 ? (int)n : 0;
}

int main(int argc, char **argv)
{
	uint8_t req[1024], ans[1500], plain[1500];
	struct osc_group_exchange ex;
	struct cry_engine *e;
	struct osc_member *m51;
	struct gfix f;
	struct opts o;
	int len, n, p;

	if (argc > 1 && !strcmp(argv[1], "member"))
		return group_member_main(argc, argv);
	e = cry_engine_new();
	if (parse(argc, argv, &o) || !e)
		return usage();
	if (gfix_init(&f))
		return fprintf(stderr, "group_client: fixture\n"), 2;
	len = protect(&f, e, &o, req, sizeof(req), &ex);
	if (len <= 0)
		return fprintf(stderr, "group_client: protect: %d\n", len), 2;
	n = exchange(argv[1], argv[2], req, (size_t)len, ans, sizeof(ans));
	m51 = &f.m51;
	if (!n)
		printf("NONE");
	else if ((p = osc_group_unprotect(e, &m51, 1, &ex, ans, (size_t)n, plain, sizeof(plain),
					  NULL)) > 1)
		printf("VERIFIED %u.%02u", plain[1] >> 5, plain[1] & 31);
	else
		printf("UNVERIFIED %u.%02u", n > 1 ? ans[1] >> 5 : 0, n > 1 ? ans[1] & 31 : 0);
	printf(n && o.show_from ? " from %s\n" : "\n", from_addr);
	gfix_free(&f);
	cry_engine_free(e);
	return 0;
}
