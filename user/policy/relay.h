/* SPDX-License-Identifier: GPL-2.0-only */
/* Where a redirected connect goes: `relay = HOST:PORT [HOST:PORT]` in
 * [global], one IPv4 and one IPv6 address (127.0.0.1:25 and [::1]:25
 * unless set; a family not written keeps its default). */
#ifndef SF_RELAY_H
#define SF_RELAY_H

#include <stddef.h>
#include <stdint.h>

/* Network byte order, as the kernel's settings hold them. */
struct sf_relay {
	uint8_t addr4[4];
	uint16_t port4;
	uint8_t addr6[16];
	uint16_t port6;
};

void sf_relay_default(struct sf_relay *r);
/* Parses the value of `relay`, over *r's current addresses. 0, or -EINVAL
 * with a message naming the offending word. */
int sf_parse_relay(const char *value, struct sf_relay *r, char *err, size_t errlen);

#endif /* SF_RELAY_H */
