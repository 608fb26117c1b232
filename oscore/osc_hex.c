/* SPDX-License-Identifier: BSD-3-Clause */
#include "oscore/osc_hex.h"

int osc_hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int osc_hex_decode(const char *s, size_t n, uint8_t *out, size_t cap)
{
	size_t i;

	if (n % 2 || n / 2 > cap)
		return -1;
	for (i = 0; i < n / 2; i++) {
		int hi = osc_hex_nibble(s[2 * i]), lo = osc_hex_nibble(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (int)(n / 2);
}
