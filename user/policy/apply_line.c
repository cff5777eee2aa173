// SPDX-License-Identifier: GPL-2.0-only
#include "policy/apply_line.h"
#include "policy/config.h"
#include "smtpfence.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int sf_apply_line(const char *line, struct sf_rule_spec *r, char *err, size_t len)
{
	char buf[1024], *p, *word, *rest;
	bool unset;

	memset(r, 0, sizeof(*r));
	if (strlen(line) >= sizeof(buf)) {
		snprintf(err, len, "line too long (at most %zu characters)", sizeof(buf) - 1);
		return -EINVAL;
	}
	strcpy(buf, line);
	buf[strcspn(buf, "\r\n")] = '\0';
	for (p = buf; (p = strchr(p, '#')); p++) {
		if (p == buf || p[-1] == ' ' || p[-1] == '\t') {
			*p = '\0';
			break;
		}
	}
	word = buf + strspn(buf, " \t");
	if (!*word)
		return 0;
	rest = word + strcspn(word, " \t");
	if (*rest)
		*rest++ = '\0';
	for (p = rest + strlen(rest); p > rest && (p[-1] == ' ' || p[-1] == '\t');)
		*--p = '\0';
	unset = !strcmp(word, "unset");
	if (!unset && sf_parse_action(word, &r->action, err, len)) {
		snprintf(err, len,
			 "unknown change '%s': expected allow, deny, log, limit, redirect or "
			 "unset",
			 word);
		return -EINVAL;
	}
	/* unset takes a target alone: parsed as an allow's, which takes no rate. */
	if (sf_rule_from_words(unset ? "allow" : word, rest, r, err, len))
		return -EINVAL;
	if (unset)
		r->action = SF_ACT_NONE;
	return 1;
}
