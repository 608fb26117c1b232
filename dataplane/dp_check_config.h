/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * oscore-gw --check-config FILE: read and validate a configuration and every file it names
 * (contexts files, libcoap files, the state database) the way the gateway would, without starting
 * DPDK, and say what the gateway would run or every error found (file, line for syntax errors,
 * field path for the rest). No DPDK here.
 */
#ifndef DP_CHECK_CONFIG_H
#define DP_CHECK_CONFIG_H

#include <stdio.h>

/* Check the configuration at path: the summary of what would run goes to out, errors (one per
 * line, "file: field: reason" or "file: line L column C: reason") and warnings to err. Changes
 * nothing (the state database is opened read-only). Returns 0 when the gateway would accept it,
 * 1 otherwise. */
int dp_check_config(const char *path, FILE *out, FILE *err);

#endif
