/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Group OSCORE load for the gateway benchmark (bench/group_gw_bench.sh): N requests of member 0a
 * of group-oscore-vectors.txt B.0's group (tests/oscore/group_fixture.c) to the gateway as member
 * 51, each a CON GET /tv1 with its own SSN, protected in group mode (one countersignature each)
 * or in pairwise mode, spread over 1024 device addresses (Message ID and token per request), into
 * a libpcap file for net_pcap:
 *
 *   group_capture OUT.pcap N group|pairwise
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/oscore/group_fixture.h"
#include "bench/lg_frame.h"
#include "oscore/osc_group_msg.h"

#define DEVICES 1024

int main(int argc, char **argv)
{
	uint8_t in[32], out[512];
	struct osc_group_exchange ex;
	struct cry_engine *e = cry_engine_new();
	struct lg_pcap *w;
	struct gfix f;
	unsigned long i, n;
	bool pairwise;
	size_t k;
	int len;

	if (argc != 4 || (strcmp(argv[3], "group") && strcmp(argv[3], "pairwise")))
		return fprintf(stderr, "usage: group_capture OUT.pcap N group|pairwise\n"), 2;
	n = strtoul(argv[2], NULL, 10);
	pairwise = !strcmp(argv[3], "pairwise");
	if (!e || gfix_init(&f) || !(w = lg_pcap_open(argv[1])))
		return fprintf(stderr, "group_capture: set-up failed\n"), 1;
	for (i = 0; i < n; i++) {
		k = gfix_hex("42010000ffffb3747631", in, sizeof(in)); /* CON GET /tv1, token 2 */
		in[2] = in[4] = (uint8_t)(i / DEVICES >> 8);
		in[3] = in[5] = (uint8_t)(i / DEVICES);
		f.g0a.ssn = i + 1;
		len = osc_group_protect_request(e, &f.g0a, pairwise ? &f.m51 : NULL, in, k, out,
						sizeof(out), &ex);
		if (len <= 0 || lg_pcap_udp(w, i % DEVICES, false, out, (size_t)len))
			return fprintf(stderr, "group_capture: request %lu failed\n", i), 1;
	}
	gfix_free(&f);
	cry_engine_free(e);
	return lg_pcap_close(w) ? 1 : 0;
}
