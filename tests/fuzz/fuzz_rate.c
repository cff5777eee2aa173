// SPDX-License-Identifier: GPL-2.0-only
/* sf_parse_rate: a rate parsed fits the kernel's token bucket (burst
 * connects of period_ns each, in a __u64) and its canonical text parses
 * back to the same rate. */
#include "fuzz.h"
#include "policy/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size), err[SF_ERR_LEN], canon[96];
	struct sf_rate r, again;
	uint64_t cap;

	if (sf_parse_rate(s, &r, err, sizeof(err)) == 0) {
		FUZZ_CHECK(r.count >= 1 && r.burst >= 1 && r.period_ns >= 1000000000ULL,
			   "'%s': %llu/%llu burst %llu", s, (unsigned long long)r.count,
			   (unsigned long long)r.period_ns, (unsigned long long)r.burst);
		FUZZ_CHECK(!__builtin_mul_overflow(r.burst, r.period_ns, &cap),
			   "'%s': the bucket (burst x period) overflows 64 bits", s);
		sf_rate_format(&r, canon, sizeof(canon));
		FUZZ_CHECK(sf_parse_rate(canon, &again, err, sizeof(err)) == 0, "'%s' -> '%s': %s",
			   s, canon, err);
		FUZZ_CHECK(!memcmp(&r, &again, sizeof(r)), "'%s' -> '%s' reads back differently", s,
			   canon);
	} else {
		FUZZ_CHECK(err[0] != '\0', "no message for '%s'", s);
	}
	free(s);
	return 0;
}
