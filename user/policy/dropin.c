// SPDX-License-Identifier: GPL-2.0-only
#include "policy/dropin.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

int sf_dropin_path(const char *rules_dir, enum sf_target_kind kind, const char *value, char *buf,
		   size_t len)
{
	char name[256];
	size_t o = 0;
	int n;

	/* A unit is its own tenant name; other kinds get their kind as prefix. */
	if (kind != SF_TARGET_UNIT)
		o = (size_t)snprintf(name, sizeof(name), "%s-", sf_target_kind_name(kind));
	for (const char *p = value; *p && o + 2 < sizeof(name); p++) {
		char ch = *p;

		if (!isalnum((unsigned char)ch) && ch != '.' && ch != '_' && ch != '@')
			ch = '-';
		if (ch == '-' && o > 0 && name[o - 1] == '-')
			continue;
		/* A file whose name starts with '.' is never read as a drop-in. */
		if (o == 0 && (ch == '.' || ch == '-'))
			continue;
		name[o++] = ch;
	}
	while (o > 0 && name[o - 1] == '-')
		o--;
	name[o] = '\0';
	n = snprintf(buf, len, "%s/%s.conf", rules_dir, name);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}
