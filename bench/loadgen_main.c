/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * oscore-loadgen capture --out DIR --clients N --requests M --seed S [--replays F] [--tampered F]
 *     [--unknown F] [--malformed F] [--ipv6 F] [--payload MIN-MAX] [--kid-len A-B] [--kid-ctx F]
 *     [--methods GET,POST,PUT,FETCH] [--quiet]
 * oscore-loadgen live --contexts FILE --target ADDR:PORT [--rate R] [--requests N] [--clients K]
 *     [--duration S] [--timeout MS] [--window W] [--sockets K] [--allow-failures] [--quiet]
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bench/loadgen.h"
#include "oscore/osc_coap.h"

static int usage(void)
{
	fprintf(stderr,
		"usage: oscore-loadgen capture --out DIR --clients N --requests M --seed S\n"
		"         [--replays F] [--tampered F] [--unknown F] [--malformed F] [--ipv6 F]\n"
		"         [--payload MIN-MAX] [--kid-len A-B] [--kid-ctx F] [--methods GET,POST,PUT,FETCH]\n"
		"         [--quiet]\n"
		"       oscore-loadgen live --contexts FILE --target ADDR:PORT [--rate R] [--requests N]\n"
		"         [--clients K] [--duration S] [--timeout MS] [--window W] [--sockets K]\n"
		"         [--allow-failures] [--quiet]\n");
	return 2;
}

static int num(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int range(const char *s, unsigned hi, unsigned *a, unsigned *b)
{
	char *end;
	unsigned long x = strtoul(s, &end, 10), y = x;

	if (end == s)
		return -1;
	if (*end == '-')
		y = strtoul(end + 1, &end, 10);
	if (*end || x > y || y > hi)
		return -1;
	*a = (unsigned)x;
	*b = (unsigned)y;
	return 0;
}

static int methods(const char *s, unsigned *set)
{
	static const struct { const char *name; unsigned code; } m[] = {
		{ "GET", COAP_GET }, { "POST", COAP_POST }, { "PUT", COAP_PUT }, { "FETCH", COAP_FETCH },
	};
	char buf[128], *tok, *save;

	snprintf(buf, sizeof(buf), "%s", s);
	*set = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		unsigned k;

		for (k = 0; k < 4 && strcasecmp(tok, m[k].name); k++)
			;
		if (k == 4)
			return -1;
		*set |= 1u << m[k].code;
	}
	return *set ? 0 : -1;
}

/* One capture option (getopt's ch with its argument); 0 or -1. */
static int capture_opt(struct lg_capture_opts *o, int ch, const char *a)
{
	double v = 0;
	int rc = 0;

	switch (ch) {
	case 'o': o->out = a; break;
	case 'n': rc = num(a, 1, 16777216, &v); o->pop.n = (unsigned long)v; break;
	case 'm': rc = num(a, 1, 1e9, &v); o->requests = (unsigned long)v; break;
	case 's': rc = num(a, 0, 1.8e19, &v); o->pop.seed = (uint64_t)v; break;
	case 'r': rc = num(a, 0, 1, &o->replays); break;
	case 't': rc = num(a, 0, 1, &o->tampered); break;
	case 'u': rc = num(a, 0, 1, &o->unknown); break;
	case 'M': rc = num(a, 0, 1, &o->malformed); break;
	case '6': rc = num(a, 0, 1, &o->ipv6); break;
	case 'p': rc = range(a, 1024, &o->pay_min, &o->pay_max); break;
	case 'k': rc = range(a, 7, &o->pop.kid_min, &o->pop.kid_max); break;
	case 'c': rc = num(a, 0, 1, &o->pop.kid_ctx); break;
	case 'T': rc = methods(a, &o->methods); break;
	case 'q': o->quiet = true; break;
	default: rc = -1;
	}
	return rc;
}

static int capture_main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "out", 1, NULL, 'o' }, { "clients", 1, NULL, 'n' }, { "requests", 1, NULL, 'm' },
		{ "seed", 1, NULL, 's' }, { "replays", 1, NULL, 'r' }, { "tampered", 1, NULL, 't' },
		{ "unknown", 1, NULL, 'u' }, { "malformed", 1, NULL, 'M' }, { "ipv6", 1, NULL, '6' },
		{ "payload", 1, NULL, 'p' }, { "kid-len", 1, NULL, 'k' }, { "kid-ctx", 1, NULL, 'c' },
		{ "methods", 1, NULL, 'T' }, { "quiet", 0, NULL, 'q' }, { NULL, 0, NULL, 0 },
	};
	struct lg_capture_opts o = { .pay_min = 0, .pay_max = 64, .methods = LG_METHODS_DEFAULT,
				     .pop = { .kid_min = 1, .kid_max = 7 } };
	char err[160];
	int ch;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1)
		if (capture_opt(&o, ch, optarg))
			return usage();
	if (!o.out || !o.pop.n || !o.requests || optind != argc)
		return usage();
	if (o.pop.n < 10 || o.pop.n > 1000000)
		fprintf(stderr, "oscore-loadgen: note: %lu clients is outside the tested 10..1000000\n",
			o.pop.n);
	if (lg_pop_check(&o.pop, err, sizeof(err)))
		return fprintf(stderr, "oscore-loadgen: %s\n", err), 2;
	return lg_capture(&o) ? 1 : 0;
}

static int live_opt(struct lg_live_opts *o, int ch, const char *a)
{
	double v = 0;
	int rc = 0;

	switch (ch) {
	case 'f': o->contexts = a; break;
	case 'a': o->target = a; break;
	case 'R': rc = num(a, 0, 1e9, &o->rate); break;
	case 'm': rc = num(a, 1, 1e12, &v); o->requests = (unsigned long)v; break;
	case 'n': rc = num(a, 1, 1e8, &v); o->clients = (unsigned long)v; break;
	case 'd': rc = num(a, 0.001, 86400, &o->duration); break;
	case 'w': rc = num(a, 1, 1 << 20, &v); o->window = (unsigned)v; break;
	case 's': rc = num(a, 1, 64, &v); o->sockets = (unsigned)v; break;
	case 'x': rc = num(a, 1, 600000, &v); o->timeout_ms = (unsigned)v; break;
	case 'F': o->allow_failures = true; break;
	case 'q': o->quiet = true; break;
	default: rc = -1;
	}
	return rc;
}

static int live_main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "contexts", 1, NULL, 'f' }, { "target", 1, NULL, 'a' }, { "rate", 1, NULL, 'R' },
		{ "requests", 1, NULL, 'm' }, { "clients", 1, NULL, 'n' }, { "duration", 1, NULL, 'd' },
		{ "timeout", 1, NULL, 'x' }, { "window", 1, NULL, 'w' }, { "sockets", 1, NULL, 's' },
		{ "allow-failures", 0, NULL, 'F' }, { "quiet", 0, NULL, 'q' }, { NULL, 0, NULL, 0 },
	};
	struct lg_live_opts o = { .timeout_ms = 1000, .window = 64 };
	int ch;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1)
		if (live_opt(&o, ch, optarg))
			return usage();
	if (!o.contexts || !o.target || optind != argc)
		return usage();
	if (!o.requests && o.duration <= 0)
		o.requests = 1000; /* never unbounded by default */
	return lg_live(&o);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "capture"))
		return capture_main(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "live"))
		return live_main(argc - 1, argv + 1);
	return usage();
}
