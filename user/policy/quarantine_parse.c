// SPDX-License-Identifier: GPL-2.0-only
/* What a user writes for a quarantine: a duration and an action. */
#include "policy/quarantine_parse.h"
#include "smtpfence.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

int sf_parse_duration(const char *s, uint32_t *seconds, char *err, size_t errlen)
{
	static const struct {
		const char *suffix;
		uint64_t mult;
	} units[] = {{"", 1}, {"s", 1}, {"m", 60}, {"min", 60}, {"h", 3600}, {"d", 86400}};
	char num[24];
	size_t n = strspn(s ? s : "", "0123456789");
	uint64_t v;

	if (!s || n == 0 || n >= sizeof(num))
		goto bad;
	memcpy(num, s, n);
	num[n] = '\0';
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(s + n, units[i].suffix))
			continue;
		if (sf_parse_uint(num, 1, SF_QUARANTINE_MAX_S / units[i].mult, &v))
			goto bad;
		*seconds = (uint32_t)(v * units[i].mult);
		return 0;
	}
bad:
	snprintf(err, errlen,
		 "invalid duration '%s': expected N, Ns, Nm, Nh or Nd (1 s to 366 days)",
		 s ? s : "");
	return -EINVAL;
}

int sf_parse_quarantine(const char *s, struct sf_quarantine_spec *q, char *err, size_t errlen)
{
	char word[32];
	const char *rest;
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strcspn(s, " \t");
	if (n == 0 || n >= sizeof(word)) {
		snprintf(err, errlen, "invalid quarantine '%s': expected DURATION [ACTION]", s);
		return -EINVAL;
	}
	memcpy(word, s, n);
	word[n] = '\0';
	memset(q, 0, sizeof(*q));
	if (sf_parse_duration(word, &q->seconds, err, errlen))
		return -EINVAL;
	rest = s + n;
	while (isspace((unsigned char)*rest))
		rest++;
	q->action = SF_ACT_DENY;
	if (!*rest)
		return 0;
	n = strcspn(rest, " \t");
	if (n == 4 && !strncmp(rest, "deny", 4) && !rest[4])
		return 0;
	if (n == 5 && !strncmp(rest, "limit", 5)) {
		q->action = SF_ACT_LIMIT;
		rest += 5;
		while (isspace((unsigned char)*rest))
			rest++;
		return sf_parse_rate(rest, &q->rate, err, errlen);
	}
	snprintf(err, errlen, "invalid quarantine action '%s': expected deny or limit N/PERIOD",
		 rest);
	return -EINVAL;
}

void sf_action_text(int action, const struct sf_rate *rate, char *buf, size_t len)
{
	char r[64];

	if (action != SF_ACT_LIMIT) {
		snprintf(buf, len, "%s", sf_action_name(action));
		return;
	}
	sf_rate_format(rate, r, sizeof(r));
	snprintf(buf, len, "limit %s", r);
}
