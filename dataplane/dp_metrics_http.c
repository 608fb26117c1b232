/* SPDX-License-Identifier: BSD-3-Clause */
/* GET /metrics over libmicrohttpd (see dp_metrics_http.h). */
#include "dataplane/dp_metrics_http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "control/ctl_config_fwd.h"

#if MHD_VERSION < 0x00097002
typedef int MHD_Result_t;
#else
typedef enum MHD_Result MHD_Result_t;
#endif

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct dp_metrics_http {
	struct MHD_Daemon *d;
	const struct dp_metrics_src *src;
};

static MHD_Result_t reply(struct MHD_Connection *c, unsigned status, char *body, size_t len,
			  enum MHD_ResponseMemoryMode mode, const char *type)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mode);
	MHD_Result_t rc;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

static MHD_Result_t on_request(void *arg, struct MHD_Connection *c, const char *url,
			       const char *method, const char *version, const char *data,
			       size_t *data_len, void **ctx)
{
	static char not_found[] = "not found: the metrics are at /metrics\n";
	static char not_allowed[] = "only GET\n";
	struct dp_metrics_http *h = arg;
	size_t len;
	char *text;

	(void)version, (void)data, (void)data_len, (void)ctx;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, not_allowed, strlen(not_allowed),
			     MHD_RESPMEM_PERSISTENT, "text/plain");
	if (strcmp(url, "/metrics"))
		return reply(c, MHD_HTTP_NOT_FOUND, not_found, strlen(not_found),
			     MHD_RESPMEM_PERSISTENT, "text/plain");
	text = dp_metrics_text(h->src, &len);
	if (!text)
		return MHD_NO; /* out of memory: the connection is closed */
	return reply(c, MHD_HTTP_OK, text, len, MHD_RESPMEM_MUST_FREE, CONTENT_TYPE);
}

static void sockaddr_of(const struct ctl_ip *ip, uint16_t port, struct sockaddr_storage *sa)
{
	if (ip->v6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)sa;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, ip->a, 16);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)sa;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		memcpy(&s4->sin_addr, ip->a, 4);
	}
}

struct dp_metrics_http *dp_metrics_http_start(const char *listen, const struct dp_metrics_src *src)
{
	struct dp_metrics_http *h = calloc(1, sizeof(*h));
	struct sockaddr_storage sa = { 0 };
	struct ctl_ip ip;
	uint16_t port;

	if (!h || ctl_config_parse_endpoint(listen, &ip, &port)) {
		free(h);
		fprintf(stderr, "oscore-gw: metrics_listen: bad address \"%s\"\n", listen);
		return NULL;
	}
	sockaddr_of(&ip, port, &sa);
	h->src = src;
	/* one thread of its own; a slow or stuck scraper cannot hold more than a few connections */
	h->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
				(ip.v6 ? MHD_USE_IPv6 : 0), port, NULL, NULL, on_request, h,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				MHD_OPTION_CONNECTION_LIMIT, 8u, MHD_OPTION_CONNECTION_TIMEOUT, 10u,
				MHD_OPTION_END);
	if (!h->d) {
		fprintf(stderr, "oscore-gw: metrics_listen: cannot listen on %s\n", listen);
		free(h);
		return NULL;
	}
	return h;
}

void dp_metrics_http_stop(struct dp_metrics_http *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->d);
	free(h);
}
