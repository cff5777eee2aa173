// SPDX-License-Identifier: GPL-2.0-only
/* sf_parse_cidr: a prefix parsed has no host bits, IPv4 (also written as
 * ::ffff:a.b.c.d) is stored as IPv4, and its canonical text parses back to
 * the same prefix. */
#include "fuzz.h"
#include "policy/parse.h"

#include <sys/socket.h>

static void check_prefix(const char *s, const struct sf_cidr *c)
{
	unsigned int max = c->family == AF_INET ? 32 : 128;

	FUZZ_CHECK(c->family == AF_INET || c->family == AF_INET6, "'%s': family %d", s, c->family);
	FUZZ_CHECK(c->prefixlen <= max, "'%s': /%u", s, c->prefixlen);
	for (unsigned int bit = c->prefixlen; bit < 128; bit++)
		FUZZ_CHECK(!(c->addr[bit / 8] & (0x80 >> (bit % 8))), "'%s': host bit %u set", s,
			   bit);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size), err[SF_ERR_LEN], canon[64];
	struct sf_cidr c, again;

	if (sf_parse_cidr(s, &c, err, sizeof(err)) == 0) {
		check_prefix(s, &c);
		sf_cidr_format(&c, canon, sizeof(canon));
		FUZZ_CHECK(sf_parse_cidr(canon, &again, err, sizeof(err)) == 0, "'%s' -> '%s': %s",
			   s, canon, err);
		FUZZ_CHECK(!memcmp(&c, &again, sizeof(c)), "'%s' -> '%s' reads back differently", s,
			   canon);
	} else {
		FUZZ_CHECK(err[0] != '\0', "no message for '%s'", s);
	}
	free(s);
	return 0;
}
