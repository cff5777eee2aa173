// SPDX-License-Identifier: GPL-2.0-only
#include "policy/mail_limits.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* The word `word` starting a blank-separated word in s, or NULL. */
static char *find_word(char *s, const char *word)
{
	size_t n = strlen(word);

	for (char *p = strstr(s, word); p; p = strstr(p + 1, word))
		if ((p == s || isspace((unsigned char)p[-1])) &&
		    (!p[n] || isspace((unsigned char)p[n])))
			return p;
	return NULL;
}

static int take_one(char *words, const char *name, struct sf_rate *out, char *err, size_t errlen)
{
	char *p = find_word(words, name), rate[64];
	size_t n;

	if (!p)
		return 0;
	p += strlen(name);
	while (isspace((unsigned char)*p))
		p++;
	n = strcspn(p, " \t");
	if (!n || n >= sizeof(rate)) {
		snprintf(err, errlen, "expected N/sec|min|hour|day after '%s'", name);
		return -EINVAL;
	}
	memcpy(rate, p, n);
	rate[n] = '\0';
	if (strchr(rate, ' ') || sf_parse_rate(rate, out, err, errlen))
		return -EINVAL;
	if (find_word(p + n, name)) {
		snprintf(err, errlen, "'%s' is given twice", name);
		return -EINVAL;
	}
	return 0;
}

int sf_mail_limits_take(char *rest, struct sf_mail_limits *out, char *err, size_t errlen)
{
	char *m = find_word(rest, "messages"), *r = find_word(rest, "recipients");
	char *start = !m ? r : !r ? m : m < r ? m : r;

	memset(out, 0, sizeof(*out));
	if (!start)
		return 0;
	if (take_one(start, "messages", &out->messages, err, errlen) ||
	    take_one(start, "recipients", &out->recipients, err, errlen))
		return -EINVAL;
	/* nothing else after them: every word is a keyword or its rate */
	for (char *w = start; *w;) {
		size_t n = strcspn(w, " \t");

		if (!((n == 8 && !strncmp(w, "messages", 8)) ||
		      (n == 10 && !strncmp(w, "recipients", 10)) || memchr(w, '/', n))) {
			snprintf(err, errlen, "unexpected '%.*s' among the mail limits", (int)n, w);
			return -EINVAL;
		}
		w += n;
		while (isspace((unsigned char)*w))
			w++;
	}
	while (start > rest && isspace((unsigned char)start[-1]))
		start--;
	*start = '\0';
	return 0;
}

bool sf_mail_limits_any(const struct sf_mail_limits *l)
{
	return l->messages.count || l->recipients.count;
}

void sf_mail_limits_format(const struct sf_mail_limits *l, char *buf, size_t len)
{
	int n = 0;

	buf[0] = '\0';
	if (l->messages.count)
		n = snprintf(buf, len, " messages %llu/%s", (unsigned long long)l->messages.count,
			     sf_rate_unit(&l->messages, false));
	if (l->recipients.count && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " recipients %llu/%s",
			 (unsigned long long)l->recipients.count, sf_rate_unit(&l->recipients, false));
}
