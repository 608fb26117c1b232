/* SPDX-License-Identifier: BSD-3-Clause */
/* The gateway's JSON configuration (format documented at the top of ctl_config.c). */
#ifndef CTL_CONFIG_H
#define CTL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "control/ctl_config_ace.h"
#include "control/ctl_config_ctx.h"
#include "control/ctl_config_edhoc.h"
#include "control/ctl_config_fwd.h"
#include "control/ctl_config_group.h"
#include "oscore/osc_context.h"

#define CTL_BURST_MAX 64

enum ctl_mode { CTL_MODE_RESPOND, CTL_MODE_FORWARD };

#define CTL_CFG_B2_MAX 64 /* = CTL_B2_TEMPLATES */
#define CTL_PATHS_MAX 8
#define CTL_PATH_LEN 64

/* Operations settings (dedup, rate limits, load test, telemetry, control hand-off). */
struct ctl_ops_config {
	char tx_port[CTL_PORT_NAME_MAX]; /* answers leave here; "" = the port they came in on */
	bool loadtest_replay;           /* process replayed Partial IVs (load tests only) */
	unsigned dedup_entries;         /* per worker; 0 = no deduplication */
	unsigned exchange_lifetime;     /* seconds a deduplication entry lives (RFC 7252 §4.8.2) */
	unsigned err_src_rate;          /* error answers per second per source address; 0 = off */
	unsigned err_src_burst;
	unsigned err_sources;           /* source buckets per worker */
	unsigned summary_interval;      /* seconds between summary lines; 0 = none */
	char ctl_paths[CTL_PATHS_MAX][CTL_PATH_LEN]; /* protected control resources */
	unsigned n_ctl_paths;
	char metrics_listen[CTL_PORT_NAME_MAX]; /* "ADDR:PORT" of the metrics endpoint; "" = none */
};

/* Cold configuration, read once at start by the main lcore. */
struct ctl_config {
	char port[CTL_PORT_NAME_MAX]; /* port id ("0") or device name ("net_pcap0") */
	uint8_t ipv4[4];
	uint8_t ipv6[16];
	bool has_ipv4, has_ipv6;
	unsigned ipv4_prefix;        /* "ipv4_prefix": on-link prefix length; 0 = not given */
	uint16_t udp_port;
	enum ctl_mode mode;
	unsigned burst;              /* 1..CTL_BURST_MAX */
	unsigned replay_window;      /* default for contexts that name none */
	unsigned mbufs;              /* mempool size */
	unsigned err_rate;           /* error answers per second per worker; 0 = unlimited */
	unsigned err_burst;          /* token bucket depth */
	struct ctl_fwd_config fwd;    /* forward mode */
	struct ctl_ops_config ops;
	struct ctl_ctx_config ctl;    /* control plane: capacity, state, namespaces */
	struct ctl_edhoc_config edhoc; /* "edhoc": the RFC 9528 responder (ctl_config_edhoc.h) */
	struct ctl_config_ace ace;    /* ACE resource server (ctl_config_ace.h) */
	struct osc_params *ctx;      /* n_ctx entries, owned */
	unsigned b2_idx[CTL_CFG_B2_MAX];  /* contexts with "b2": true (RFC 8613 App. B.2), by index */
	unsigned n_b2;
	unsigned n_ctx;
	struct ctl_groups_config groups; /* "groups" (ctl_config_group.c), owned */
	struct ctl_group_send_config group_send; /* "group_send" (ctl_config_group_send.c) */
};

/*
 * Read and validate the configuration in path into c (zeroed by the call). On failure returns -1
 * and writes "file: field: reason" into err[0..err_len); c then owns nothing.
 */
int ctl_config_load(struct ctl_config *c, const char *path, char *err, size_t err_len);

/*
 * One context object o (the format above) into p, with default replay window window; for runtime
 * adds. Parses only: dp_ctx_table_add derives (once) and refuses what the core refuses.
 * Returns 0, or -1 with "field: reason" (never a secret) in err[0..err_len).
 */
int ctl_config_parse_context(json_t *o, unsigned window, struct osc_params *p, char *err,
			    size_t err_len);

/* Wipe the secrets c holds and free them. */
void ctl_config_free(struct ctl_config *c);

#endif
