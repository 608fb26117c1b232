/* SPDX-License-Identifier: BSD-3-Clause */
/* Per-worker counters: one per drop reason, per answer kind and per enum osc_err. */
#ifndef DP_STATS_H
#define DP_STATS_H

#include <stdint.h>
#include <stdio.h>

#include <rte_common.h>

#include "oscore/osc_error.h"

enum dp_ctr {
	DP_RX_PACKETS,
	DP_TX_PACKETS,
	DP_TX_FULL,            /* tx_burst refused it */
	DP_DROP_RUNT,          /* shorter than its headers claim */
	DP_DROP_ETHERTYPE,     /* neither IPv4, IPv6 nor ARP */
	DP_DROP_ARP,           /* ARP not asking for our address */
	DP_DROP_IP_BAD,        /* bad version, header length or total length */
	DP_DROP_IP_FRAGMENT,
	DP_DROP_IP_NOT_OURS,
	DP_DROP_ICMP,          /* ICMP other than an echo request to us */
	DP_DROP_NOT_UDP,
	DP_DROP_UDP_PORT,      /* UDP, but not to the served port */
	DP_DROP_NO_SLOT,       /* every in-flight slot busy */
	DP_DROP_SILENT,        /* OSCORE error that §8.2 answers with nothing */
	DP_DROP_RATE_LIMITED,  /* error answer suppressed by the rate limit */
	DP_ARP_REPLIES,
	DP_ICMP_ECHO_REPLIES,
	DP_ANSWER_PROTECTED,   /* verified request answered with a protected response */
	DP_ANSWER_ERROR,       /* unprotected §8.2 error answer */
	/* forward mode (dp_forward.c, dp_neigh.c, dp_icmp6.c) */
	DP_FWD_REQUESTS,       /* verified request sent to the upstream */
	DP_FWD_ANSWERS,        /* upstream answer protected back to the device */
	DP_FWD_NOTIFICATIONS,  /* Observe notification protected with the gateway's own Partial IV */
	DP_FWD_TIMEOUTS,       /* no upstream answer in time: protected 5.04 */
	DP_FWD_TABLE_FULL,     /* exchange table full: protected 5.03 */
	DP_FWD_REQ_UNFIT,      /* request could not be rewritten for the upstream: protected 5.02 */
	DP_FWD_ANSWER_UNFIT,   /* upstream answer could not be protected (too big, bad options) */
	DP_FWD_OBSERVE_EXPIRED,/* observation forgotten after no notification */
	DP_FWD_OBSERVE_CANCELLED, /* device deregistered (Observe 1): sent with the observation's token */
	DP_FWD_UP_UNKNOWN,     /* upstream message for no live exchange: RST sent */
	DP_FWD_UP_EMPTY_ACK,   /* upstream ACKed our CON; a separate response follows */
	DP_FWD_UP_RST,         /* upstream reset our message */
	DP_FWD_UP_BAD,         /* from the upstream, but not a CoAP response */
	DP_FWD_UP_ACKS,        /* empty ACKs sent for the upstream's CON responses */
	DP_FWD_CTX_GONE,       /* answer, notification or 5.04 dropped: its context was removed */
	DP_FWD_OBS_REGISTERED, /* RFC 7641 §5: new shared registration sent to the upstream */
	DP_FWD_OBS_JOINED,     /* device joined a registration: re-registered under its token */
	DP_FWD_OBS_UNSHARED,   /* registration not shareable (key too long, table full): own token */
	DP_FWD_OBS_DEREGISTER, /* last observer cancelled: cancellation sent under the shared token */
	DP_FWD_OBS_CLOSING,    /* notification for a registration being cancelled: not passed on */
	DP_FWD_OBS_RST,        /* device reset a notification: its observation ended (RFC 7641 §3.6) */
	DP_FWD_OBS_UNREACHABLE,/* ICMP unreachable quoting a notification: its observation ended */
	DP_FWD_OBS_CON_SENT,   /* notification sent CON (RFC 7641 §4.5) */
	DP_FWD_OBS_CON_ACKED,  /* ... and the device ACKed it */
	DP_FWD_OBS_CON_RETRANSMIT, /* CON notification sent again (RFC 7252 §4.2) */
	DP_FWD_OBS_CON_LOST,   /* CON notification never ACKed: the observation ended */
	DP_FWD_UP_RETRANSMIT,  /* CON request sent to the upstream again (RFC 7252 §4.2) */
	DP_FWD_ROUTED,         /* request sent to one of "upstreams" (a route), not the default */
	DP_ICMP_UNREACH,       /* ICMP(v6) port/host unreachable quoting one of our datagrams */
	DP_ICMP_UNREACH_OTHER, /* ... quoting nothing a live observation sent: ignored */
	DP_NEIGH_REQUESTS,     /* ARP requests and neighbour solicitations sent */
	DP_NEIGH_LEARNED,      /* ARP replies and neighbour advertisements that resolved a neighbour */
	DP_NEIGH_HELD,         /* frames held until their neighbour resolved */
	DP_DROP_NEIGH,         /* held too long or hold queue full */
	DP_DROP_NO_MBUF,       /* mempool empty when the gateway had to originate a frame */
	DP_ND_ADVERTS,         /* neighbour advertisements answering solicitations for us */
	DP_ICMP6_ECHO_REPLIES,
	DP_DROP_ICMP6,         /* ICMPv6 or ND that is not for us or not understood */
	DP_DROP_ICMP_CKSUM,    /* ICMP or ICMPv6 for us with a wrong checksum */
	/* operations slice (issue 3): dedup, per-source limits, load test, control hand-off */
	DP_DEDUP_HIT,          /* repeated CON answered again from the cache (RFC 7252 §4.5) */
	DP_DEDUP_PENDING,      /* repeated CON dropped: the first copy is still being processed */
	DP_DEDUP_EVICTED,      /* answered entry reused before EXCHANGE_LIFETIME ran out */
	DP_DEDUP_TABLE_FULL,   /* every probed entry in flight: processed without deduplication */
	DP_DEDUP_TOO_BIG,      /* answer longer than any frame: not kept, repeats ignored */
	DP_DEDUP_BIG_KEPT,     /* answer over DP_DEDUP_ANSWER_MAX kept in the large-answer pool */
	DP_DEDUP_POOL_FULL,    /* large answer not kept (pool full): its repeats are ignored */
	DP_DEDUP_NO_COPY,      /* repeated CON ignored: its answer was not kept (the client retries) */
	DP_DROP_RATE_LIMITED_SOURCE, /* error answer suppressed by its source's bucket */
	DP_RL_EVICTED,         /* a source's bucket was reused for another source */
	DP_LOADTEST_REPLAYS,   /* replayed Partial IV processed anyway (loadtest_replay) */
	DP_LOADTEST_DEDUP_REPROCESSED, /* repeated CON processed anyway (loadtest_replay) */
	DP_CTL_HANDOFF,        /* worker: request passed to the control lcore */
	DP_CTL_RING_FULL,      /* worker: control ring or message pool full: dropped */
	DP_CTL_ANSWER_TX,      /* worker: control lcore's answer queued for transmit */
	DP_CTL_REQUESTS,       /* control lcore: requests received */
	DP_CTL_NOT_FOUND,      /* control lcore: no handler for the path: 4.04 */
	DP_CTL_ANSWERS,        /* control lcore: answers sent back to a worker */
	DP_CTL_FAILED,         /* control lcore: answer could not be built: request dropped */
	DP_B12_HANDOFF,        /* worker: verified request on an unknown window (App. B.1.2) passed on */
	DP_B12_CHALLENGE,      /* control lcore: protected 4.01 with an inner Echo (App. B.1.2) */
	DP_B12_ACCEPT,         /* control lcore: valid Echo, window reset to the request's Partial IV */
	DP_B12_DROP,           /* control lcore: unparsable, or the window was already reset */
	DP_B12_SSN_LIMIT,      /* control lcore: 4.01's own SSN not yet durable (App. B.1.1): 5.03 */
	DP_B12_FWD_RETRY,      /* forward mode: accepted request not forwardable: 5.03, device retries */
	DP_B2_HANDOFF,         /* worker: kid context naming no context passed on (App. B.2) */
	DP_B2_R2_ISSUED,       /* control lcore: request #1 verified, 4.01 with R2 sent */
	DP_B2_INSTALLED,       /* control lcore: request #2 verified, ctx(R2 || R3) installed */
	DP_B2_REFUSED,         /* control lcore: neither a valid request #1 nor #2: §8.2 answer */
	DP_B2_INSTALL_FAILED,  /* control lcore: verified request #2, but the store or table refused */
	DP_B2_WRAPPED,         /* control lcore: B.2 message with a CBOR-wrapped kid context */
	DP_GROUP_VERIFIED,     /* control lcore: Group OSCORE signature verified and answered */
	DP_GROUP_SIGNATURE,    /* control lcore: Group OSCORE signature refused, window untouched */
	DP_GROUP_REFUSED,      /* control lcore: Group OSCORE job stale, replayed or malformed */
	DP_GROUP_ANSWER_FAILED,/* control lcore: Group OSCORE answer could not be protected */
	DP_B2_RATE_LIMITED,    /* worker: B.2 or EDHOC hand-off refused by the per-source limit */
	DP_CTL_STALE,          /* control lcore: the job's context was removed or replaced since */
	DP_CTL_ANSWER_UNFIT,   /* worker: the control plane's answer does not fit the frame */
	/* wire hardening (issue 8): checksums, sources, IPv4 options, CoAP type and code */
	DP_DROP_IP_CKSUM,      /* IPv4 header checksum wrong (RFC 791) */
	DP_DROP_UDP_CKSUM,     /* UDP checksum wrong (RFC 768) */
	DP_DROP_UDP_CKSUM_ZERO,/* IPv6 UDP without checksum (RFC 8200 §8.1 forbids it) */
	DP_DROP_IP_OPTIONS,    /* IPv4 header with options: never copied into an answer */
	DP_DROP_SRC_BROADCAST, /* source 255.255.255.255 or the subnet broadcast ("ipv4_prefix") */
	DP_DROP_SRC_MULTICAST, /* source 224.0.0.0/4 or ff00::/8 */
	DP_DROP_SRC_LOOPBACK,  /* source 127.0.0.0/8 or ::1 */
	DP_DROP_SRC_UNSPECIFIED, /* source 0.0.0.0/8 or :: */
	DP_DROP_SRC_OURS,      /* source is the gateway's own address */
	DP_DROP_SRC_V4MAPPED,  /* IPv6 source ::ffff:0:0/96: never on the wire (RFC 4291 §2.5.5.2) */
	DP_COAP_ACK_IGNORED,   /* unexpected ACK: silently ignored (RFC 7252 §4.2) */
	DP_COAP_RST_IGNORED,   /* unexpected RST: silently ignored (§4.2, §4.3) */
	DP_COAP_PING,          /* CON Empty message ("CoAP ping", §4.3): answered RST */
	DP_COAP_EMPTY_NON,     /* NON Empty message: rejected, silently ignored (§4.3) */
	DP_COAP_RESPONSE_CODE, /* response code where a request was due: CON RST, NON ignored */
	DP_COAP_RESERVED_CLASS,/* code class 1, 6 or 7: CON RST, NON ignored (§4.2, §4.3) */
	DP_COAP_FORMAT_ERROR,  /* CON with a message format error: RST (§4.2) */
	DP_ANSWER_RST,         /* RSTs sent for the above (rate limited like error answers) */
	DP_ANSWER_UNAUTHORIZED,/* unprotected request to a protected resource: 4.01 */
	DP_EDHOC_MSG1,           /* control lcore: EDHOC message_1 answered with message_2 */
	DP_EDHOC_MSG1_ERR,       /* control lcore: EDHOC message_1 answered with an EDHOC error */
	DP_EDHOC_RATE_SOURCE,    /* control lcore: EDHOC message_1 refused (5.03) by its source's limit */
	DP_EDHOC_RATE_TOTAL,     /* control lcore: EDHOC message_1 refused (5.03) by the total limit */
	DP_EDHOC_DONE,           /* control lcore: EDHOC message_3 verified, context installed */
	DP_EDHOC_MSG3_ERR,       /* control lcore: EDHOC message_3 answered with an EDHOC error */
	DP_EDHOC_INSTALL_FAIL,   /* control lcore: EDHOC message_3 verified, the context refused: 5.00 */
	DP_EDHOC_BAD_REQUEST,    /* control lcore: EDHOC not POST, no payload, no true / C_R prefix, bad RFC 9668 shape */
	DP_EDHOC_COMBINED,       /* control lcore: EDHOC RFC 9668 combined request: context installed, request verified */
	DP_EDHOC_FWD_RETRY,      /* forward mode: a combined request not forwardable: protected 5.03, device retries */
	DP_EDHOC_SRC_EVICTED,    /* control lcore: a limited source's message_1 bucket made room for another */
	DP_ACE_DENY_RESOURCE,  /* worker: ACE scope has no such resource: protected 4.03 */
	DP_ACE_DENY_METHOD,    /* worker: ACE scope has the resource, not the method: 4.05 */
	DP_ACE_EXPIRED,        /* control lcore: a token expired, its context removed */
	DP_ACE_SUPERSEDED,     /* control lcore: a reposted token's old context removed (in use) */
	/* several forward workers (issue 10): upstream answers steered to their exchange's owner */
	DP_STEER_OUT,          /* upstream frame for another worker's port handed to it (ring) */
	DP_STEER_IN,           /* frame another worker handed over, processed here */
	DP_STEER_RING_FULL,    /* owner's steer ring full: the upstream frame was dropped */
	DP_STEER_NEIGH_COPIES, /* ARP reply / NA copied to the other workers' neighbour tables */
	DP_CTR__COUNT
};

/* One worker's counters: plain integers, written by that worker only, summed when read. */
struct dp_stats {
	uint64_t ctr[DP_CTR__COUNT];
	uint64_t osc_err[OSC_ERR__COUNT];
	uint64_t first_rx_tsc, last_rx_tsc; /* when packets arrived: rate over the run */
} __rte_cache_aligned;

/* n workers' counters, each on cache lines of its own (zeroed, from rte_malloc on socket), or
 * NULL. Released with dp_stats_free(). */
struct dp_stats *dp_stats_alloc(unsigned n, int socket);

void dp_stats_free(struct dp_stats *s);

/* Name of a counter as printed and in JSON ("drop_udp_port"). */
const char *dp_ctr_name(int c);

/* One-line description of a counter (for metrics HELP); its name if none is written. */
const char *dp_ctr_help(int c);

/* Copy one worker's counters with relaxed atomic loads: for readers on other threads while the
 * worker runs (each value may be a burst old, never torn). The worker never waits for it. */
void dp_stats_load(const struct dp_stats *w, struct dp_stats *out);

/* Sum of n workers' counters into out. Reads without synchronisation: exact once workers stopped. */
void dp_stats_sum(const struct dp_stats *w, unsigned n, struct dp_stats *out);

/* Print every non-zero counter of s, one per line, to f, then the rate of received packets
 * between the first and the last burst. */
void dp_stats_print(const struct dp_stats *s, FILE *f);

/* Write s as one JSON object {"counters": {...}, "osc_err": {...}, "workers": [...]} to path,
 * "workers" holding each of the n workers' w[0..n) non-zero counters by name (which worker got
 * how much: RSS and steering). Returns 0 or -1. */
int dp_stats_write_json(const struct dp_stats *s, const struct dp_stats *w, unsigned n,
			const char *path);

#endif
