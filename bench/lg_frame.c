/* SPDX-License-Identifier: BSD-3-Clause */
/* Frames to the gateway, streamed to a pcap file (see lg_frame.h). */
#include "bench/lg_frame.h"

#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

struct lg_pcap {
	pcap_t *dead;
	pcap_dumper_t *d;
	unsigned long frames;
	uint8_t f[LG_FRAME_MAX];
};

struct lg_pcap *lg_pcap_open(const char *path)
{
	struct lg_pcap *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->dead = pcap_open_dead(DLT_EN10MB, 65535);
	w->d = w->dead ? pcap_dump_open(w->dead, path) : NULL;
	if (!w->d) {
		if (w->dead)
			pcap_close(w->dead);
		free(w);
		return NULL;
	}
	return w;
}

int lg_pcap_close(struct lg_pcap *w)
{
	int rc = pcap_dump_flush(w->d);

	pcap_dump_close(w->d);
	pcap_close(w->dead);
	free(w);
	return rc ? -1 : 0;
}

unsigned long lg_pcap_frames(const struct lg_pcap *w)
{
	return w->frames;
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint32_t csum_add(uint32_t s, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)(p[n - 1] << 8);
	return s;
}

static uint16_t csum_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Device dev: MAC 02:dd:dd:dd:dd:01 style, addresses 10.128.0.0/9 and fd00::1:0:0/96, which
 * never meet the gateway's own. */
static size_t eth(uint8_t *f, unsigned long dev, bool v6)
{
	static const uint8_t gw[6] = { 0x02, 0, 0, 0, 0, 0xfe };

	memcpy(f, gw, 6);
	f[6] = 0x02;
	f[7] = 0x01;
	for (int k = 0; k < 4; k++)
		f[8 + k] = (uint8_t)(dev >> (8 * (3 - k)));
	put16(f + 12, v6 ? 0x86dd : 0x0800);
	return 14;
}

static size_t ipv4(uint8_t *p, unsigned long dev, size_t l4_len)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	put16(p + 2, (unsigned)(20 + l4_len));
	p[8] = 64;
	p[9] = 17;
	p[12] = 10;
	p[13] = (uint8_t)(128 | ((dev >> 16) & 0x7f));
	p[14] = (uint8_t)(dev >> 8);
	p[15] = (uint8_t)dev;
	memcpy(p + 16, (uint8_t[4]){ 10, 0, 0, 1 }, 4);
	put16(p + 10, csum_fold(csum_add(0, p, 20)));
	return 20;
}

static size_t ipv6(uint8_t *p, unsigned long dev, size_t l4_len)
{
	memset(p, 0, 40);
	p[0] = 0x60;
	put16(p + 4, (unsigned)l4_len);
	p[6] = 17;
	p[7] = 64;
	p[8] = p[24] = 0xfd;
	p[19] = 0x01;
	for (int k = 0; k < 4; k++)
		p[20 + k] = (uint8_t)(dev >> (8 * (3 - k)));
	p[39] = 1;
	return 40;
}

int lg_pcap_udp(struct lg_pcap *w, unsigned long dev, bool v6, const uint8_t *pl, size_t len)
{
	uint8_t *f = w->f, *u;
	size_t l2 = eth(f, dev, v6), l3, ulen = 8 + len;
	struct pcap_pkthdr h = { 0 };
	uint32_t s;

	if (len > LG_FRAME_MAX - 62)
		return -1;
	l3 = v6 ? ipv6(f + l2, dev, ulen) : ipv4(f + l2, dev, ulen);
	u = f + l2 + l3;
	put16(u, 1024 + (unsigned)(dev % 64000));
	put16(u + 2, LG_GW_PORT);
	put16(u + 4, (unsigned)ulen);
	put16(u + 6, 0);
	memcpy(u + 8, pl, len);
	/* pseudo-header (RFC 768, RFC 8200 §8.1): addresses, protocol, length */
	s = v6 ? csum_add(0, f + l2 + 8, 32) : csum_add(0, f + l2 + 12, 8);
	s = csum_add(s + 17 + (uint32_t)ulen, u, ulen);
	put16(u + 6, csum_fold(s) ? csum_fold(s) : 0xffff);
	h.caplen = h.len = (bpf_u_int32)(l2 + l3 + ulen);
	h.ts.tv_sec = 1700000000 + (time_t)(w->frames / 1000000);
	h.ts.tv_usec = (suseconds_t)(w->frames % 1000000);
	w->frames++;
	pcap_dump((u_char *)w->d, &h, f);
	return 0;
}
