// SPDX-License-Identifier: GPL-2.0-only
/* sf_parse_port: a port parsed is 1 to 65535 and reads back the same. */
#include "fuzz.h"
#include "policy/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size), err[SF_ERR_LEN], canon[16];
	uint16_t port = 0, again = 0;

	if (sf_parse_port(s, &port, err, sizeof(err)) == 0) {
		FUZZ_CHECK(port != 0, "'%s'", s);
		snprintf(canon, sizeof(canon), "%u", port);
		FUZZ_CHECK(sf_parse_port(canon, &again, err, sizeof(err)) == 0 && again == port,
			   "'%s' -> %u -> %s", s, port, err);
	} else {
		FUZZ_CHECK(err[0] != '\0' && strchr(err, '\'') != NULL, "no message for '%s'", s);
	}
	free(s);
	return 0;
}
