/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The metrics endpoint ("metrics_listen": "127.0.0.1:9464"): GET /metrics answers
 * dp_metrics_text() for Prometheus, from libmicrohttpd's own thread (never a worker lcore; it
 * only reads, see dp_metrics.h). Anything else is 404, other methods 405.
 */
#ifndef DP_METRICS_HTTP_H
#define DP_METRICS_HTTP_H

#include "dataplane/dp_metrics.h"

struct dp_metrics_http;

/* Listen on listen ("ADDR:PORT" or "[IPv6]:PORT") serving src. NULL after printing why (address
 * in use, not local). */
struct dp_metrics_http *dp_metrics_http_start(const char *listen, const struct dp_metrics_src *src);

/* Close the socket and join the thread (NULL is fine); src may be freed afterwards. */
void dp_metrics_http_stop(struct dp_metrics_http *h);

#endif
