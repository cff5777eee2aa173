// SPDX-License-Identifier: GPL-2.0-only
/* sf_parse_target: a target parsed is canonical (cgroup paths absolute,
 * without empty, "." or ".." parts), and "kind:value" parses back to the
 * same target. */
#include "fuzz.h"
#include "policy/parse.h"

static void check_cgroup_path(const char *s, const char *v)
{
	size_t n = strlen(v);

	FUZZ_CHECK(v[0] == '/', "'%s' -> '%s'", s, v);
	FUZZ_CHECK(n == 1 || v[n - 1] != '/', "'%s' -> '%s': trailing slash", s, v);
	FUZZ_CHECK(!strstr(v, "//"), "'%s' -> '%s'", s, v);
	for (const char *p = v; (p = strstr(p, "/.")); p++)
		FUZZ_CHECK(
			!(p[2] == '/' || p[2] == '\0' || (p[2] == '.' && (p[3] == '/' || !p[3]))),
			"'%s' -> '%s': dot part", s, v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sf_target_spec t, again; /* large */
	char *s = fuzz_cstr(data, size), err[SF_ERR_LEN], canon[SF_TARGET_LEN + 16];

	if (sf_parse_target(s, &t, err, sizeof(err)) == 0) {
		FUZZ_CHECK(t.value[0] != '\0', "'%s': empty value", s);
		if (t.kind == SF_TARGET_CGROUP)
			check_cgroup_path(s, t.value);
		sf_target_format(&t, canon, sizeof(canon));
		FUZZ_CHECK(sf_parse_target(canon, &again, err, sizeof(err)) == 0,
			   "'%s' -> '%s': %s", s, canon, err);
		FUZZ_CHECK(again.kind == t.kind && !strcmp(again.value, t.value) &&
				   !memcmp(&again.cidr, &t.cidr, sizeof(t.cidr)),
			   "'%s' -> '%s' reads back differently", s, canon);
	} else {
		FUZZ_CHECK(err[0] != '\0', "no message for '%s'", s);
	}
	free(s);
	return 0;
}
