/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for sending to a group (control/ctl_group_send.c): the gateway as member 51 of
 * group-oscore-vectors.txt B.0's group (members 0a and 52, multicast 239.255.0.3), the transport
 * replaced by a platform that checks every datagram the handler would send. The first input byte
 * picks the case (mod 3):
 *   0: the rest is a requester's plain CoAP message on the group-send port;
 *   1: the rest is a member's answer from the network, its token (when 8 bytes long) set to the
 *      open collection's so that verification is reached;
 *   2: the rest is a plain response that member 0a protects correctly (group mode if the next
 *      byte is even, else pairwise), so that the aggregate's encoding is fuzzed behind a valid
 *      signature.
 * Each input starts with one collection open (GET /groups/floor3/light) and ends with every
 * collection answered, so that an input means the same on every run.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "control/ctl_clock.h"
#include "control/ctl_group_send.h"
#include "oscore/osc_coap.h"
#include "tests/control/gw_group_fixture.h"
#include "tests/oscore/group_fixture.h"

static struct cry_engine *eng;
static struct gfix fx;
static struct ctl_groups gs;
static struct ctl_group_send *gsend;
static uint16_t mid;
static uint8_t last[CTL_MSG_MAX];
static size_t last_len;

static void count(void *plat, enum ctl_ctr c)
{
	(void)plat;
	if ((unsigned)c >= CTL_C__COUNT)
		abort();
}

/* Every datagram must be CoAP we could parse. */
static int send_dgram(void *plat, const struct ctl_dgram *d)
{
	struct osc_coap_msg m;

	(void)plat;
	if (d->len > sizeof(last) || osc_coap_parse(&m, d->msg, d->len) != OSC_COAP_OK)
		abort();
	memcpy(last, d->msg, d->len);
	last_len = d->len;
	return 0;
}

static const struct ctl_platform platform = { .count = count, .send = send_dgram };
static struct ctl_env env = { .ops = &platform, .next_mid = &mid };

static void init_once(void)
{
	static const struct ctl_group_send_config cfg = { .enabled = true, .port = 5690,
							  .collect_ms = 1000, .pending = 4 };

	if (!(eng = cry_engine_new()) || gfix_init(&fx) != 0)
		abort();
	env.e = eng;
	if (gwfix_groups(&gs) != OSC_GROUP_OK)
		abort();
	if (!(gsend = ctl_group_send_new(&gs, &cfg)))
		abort();
}

static int serve(const uint8_t *msg, size_t len)
{
	static uint8_t buf[CTL_MSG_MAX], ans[CTL_MSG_MAX];
	struct ctl_job job = { .kind = CTL_KIND_GROUP_SEND, .msg = buf, .len = len,
			       .peer = { .src = { [10] = 0xff, [11] = 0xff, 10, 0, 0, 7 },
					 .src_port = 40000, .dst_port = 5690 } };
	struct osc_coap_msg a;
	int n;

	if (len > sizeof(buf))
		return 0;
	memcpy(buf, msg, len);
	if (osc_coap_parse(&job.req, buf, len) != OSC_COAP_OK)
		return 0; /* ctl_plane_serve refuses it before any handler */
	n = ctl_group_send_serve(gsend, &env, &job, ans, sizeof(ans));
	if (n < 0 || (n > 0 && osc_coap_parse(&a, ans, (size_t)n) != OSC_COAP_OK))
		abort();
	return n;
}

/* GET /groups/floor3/light; 0a's view of it in *gex, the members' token in token. */
static int open_one(struct osc_group_exchange *gex, uint8_t token[8])
{
	static const uint8_t req[] = { 0x50, 0x01, 0x12, 0x34, 0xb6, 'g', 'r', 'o', 'u', 'p', 's',
				       0x06, 'f', 'l', 'o', 'o', 'r', '3', 0x05, 'l', 'i', 'g',
				       'h', 't' };
	uint8_t plain[512];
	struct osc_member *m51 = &fx.m51;
	struct osc_coap_msg q;
	int n;

	serve(req, sizeof(req));
	n = osc_group_unprotect(eng, &m51, 1, NULL, last, last_len, plain, sizeof(plain), gex);
	if (n < 0 || osc_coap_parse(&q, plain, (size_t)n) != OSC_COAP_OK || q.tkl != 8)
		return -1;
	memcpy(token, q.token, 8);
	return 0;
}

/* Case 2: 0a protects the plain response in[0..len) (with the members' token) correctly. */
static void protected_answer(const uint8_t *in, size_t len, const struct osc_group_exchange *gex,
			     const uint8_t token[8])
{
	static uint8_t plain[OSC_MSG_MAX], out[OSC_MSG_MAX + 512];
	struct osc_coap_msg m;
	int n;

	if (len < 2 || osc_coap_parse(&m, in + 1, len - 1) != OSC_COAP_OK)
		return;
	m.token = token;
	m.tkl = 8;
	n = osc_coap_encode(plain, sizeof(plain), &m);
	if (n < 0)
		return;
	n = osc_group_protect_response(eng, &fx.g0a, &fx.m51, !(in[0] & 1), gex, plain,
				       (size_t)n, out, sizeof(out), 0);
	if (n > 0)
		serve(out, (size_t)n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[CTL_MSG_MAX];
	struct osc_group_exchange gex;
	uint8_t token[8];

	if (!eng)
		init_once();
	/* sends are not refused for running ahead of the SSN clock floor (ctl_group_send.h): the
	 * harness sends far faster than 1000 per second, and its nonces protect nothing */
	gs.g[0]->g.ssn = ctl_clock_ms() - 1;
	if (size < 1 || size > sizeof(buf) || open_one(&gex, token))
		goto out;
	memcpy(buf, data + 1, size - 1);
	switch (data[0] % 3) {
	case 0:
		serve(buf, size - 1);
		break;
	case 1:
		if (size - 1 >= 12 && (buf[0] & 0x0f) == 8)
			memcpy(buf + 4, token, 8);
		serve(buf, size - 1);
		break;
	default:
		protected_answer(buf, size - 1, &gex, token);
	}
out:
	ctl_group_send_tick(gsend, &env, UINT64_MAX);
	if (ctl_group_send_open(gsend))
		abort();
	return 0;
}
