// SPDX-License-Identifier: GPL-2.0-only
#include "policy/abuse_keys.h"
#include "policy/quarantine_parse.h"
#include "smtpfence.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* A DNS name as a blocklist zone: labels of letters, digits, '-' and '_'. */
static int parse_zone(const char *w, char *err, size_t errlen)
{
	size_t label = 0, n = strlen(w);

	if (n == 0 || n >= SF_DNSBL_ZONE_LEN - 1 || w[0] == '.' || w[n - 1] == '.')
		goto bad;
	for (const char *c = w; *c; c++) {
		if (*c == '.') {
			if (label == 0)
				goto bad;
			label = 0;
		} else if (isalnum((unsigned char)*c) || *c == '-' || *c == '_') {
			if (++label > 63)
				goto bad;
		} else {
			goto bad;
		}
	}
	if (!strchr(w, '.'))
		goto bad;
	return 0;
bad:
	snprintf(err, errlen,
		 "invalid dnsbl zone '%s': expected a domain name such as "
		 "zen.spamhaus.org",
		 w);
	return -EINVAL;
}

int sf_parse_resolver(const char *s, char *out, size_t outlen, char *err, size_t errlen)
{
	unsigned char buf[16];
	struct sockaddr_storage ss;
	char sub[SF_LISTEN_LEN];

	if (inet_pton(AF_INET, s, buf) == 1) {
		snprintf(out, outlen, "%s:53", s);
		return 0;
	}
	if (inet_pton(AF_INET6, s, buf) == 1) {
		snprintf(out, outlen, "[%s]:53", s);
		return 0;
	}
	if (strlen(s) < sizeof(sub) && !sf_parse_listen(s, &ss, sub, sizeof(sub)) &&
	    ss.ss_family != AF_UNSPEC) {
		snprintf(out, outlen, "%s", s);
		return 0;
	}
	snprintf(err, errlen,
		 "invalid dnsbl_resolver '%s': expected ADDRESS, ADDRESS:PORT or [IPv6]:PORT", s);
	return -EINVAL;
}

static int parse_zones(struct sf_dnsbl_config *c, const char *value, char *err, size_t errlen)
{
	char buf[SF_DNSBL_MAX_ZONES * SF_DNSBL_ZONE_LEN], *save = NULL;

	c->n_zones = 0;
	if (strlen(value) >= sizeof(buf)) {
		snprintf(err, errlen, "dnsbl_zones too long");
		return -EINVAL;
	}
	strcpy(buf, value);
	for (char *w = strtok_r(buf, " \t,", &save); w; w = strtok_r(NULL, " \t,", &save)) {
		if (!strcmp(w, "off") && c->n_zones == 0)
			continue;
		if (parse_zone(w, err, errlen))
			return -EINVAL;
		if (c->n_zones == SF_DNSBL_MAX_ZONES) {
			snprintf(err, errlen, "too many dnsbl zones (at most %d)",
				 SF_DNSBL_MAX_ZONES);
			return -E2BIG;
		}
		snprintf(c->zones[c->n_zones++], SF_DNSBL_ZONE_LEN, "%s", w);
	}
	return 0;
}

static int parse_addresses(struct sf_dnsbl_config *c, const char *value, char *err, size_t errlen)
{
	char buf[SF_DNSBL_MAX_ADDRESSES * SF_DNSBL_ADDR_LEN], *save = NULL;
	unsigned char bin[16];

	c->n_addresses = 0;
	if (strlen(value) >= sizeof(buf)) {
		snprintf(err, errlen, "dnsbl_addresses too long");
		return -EINVAL;
	}
	strcpy(buf, value);
	for (char *w = strtok_r(buf, " \t,", &save); w; w = strtok_r(NULL, " \t,", &save)) {
		int family = strchr(w, ':') ? AF_INET6 : AF_INET;

		if (inet_pton(family, w, bin) != 1) {
			snprintf(err, errlen,
				 "invalid dnsbl address '%s': expected an IPv4 or IPv6 address", w);
			return -EINVAL;
		}
		if (c->n_addresses == SF_DNSBL_MAX_ADDRESSES) {
			snprintf(err, errlen, "too many dnsbl addresses (at most %d)",
				 SF_DNSBL_MAX_ADDRESSES);
			return -E2BIG;
		}
		/* canonical text, so that "2001:DB8::1" and "2001:db8::1" are one */
		inet_ntop(family, bin, c->addresses[c->n_addresses++], SF_DNSBL_ADDR_LEN);
	}
	return 0;
}

/* "deny", "log" or "limit N/PERIOD [burst B]": a default while listed. */
static int parse_on_listed(struct sf_dnsbl_config *c, const char *value, char *err, size_t errlen)
{
	if (!strcmp(value, "off")) {
		c->on_listed = SF_ACT_NONE;
		return 0;
	}
	if (!strncmp(value, "limit", 5) && (value[5] == ' ' || value[5] == '\t')) {
		c->on_listed = SF_ACT_LIMIT;
		return sf_parse_rate(value + 6, &c->on_listed_rate, err, errlen);
	}
	if (!strcmp(value, "deny") || !strcmp(value, "log")) {
		c->on_listed = !strcmp(value, "deny") ? SF_ACT_DENY : SF_ACT_LOG;
		return 0;
	}
	snprintf(err, errlen, "invalid on_listed '%s': expected deny, log, limit N/PERIOD or off",
		 value);
	return -EINVAL;
}

int sf_abuse_key(struct sf_policy *p, const char *name, const char *value, char *err, size_t errlen)
{
	struct sf_dnsbl_config *c = &p->dnsbl;

	if (!strcmp(name, "quarantine")) {
		if (!strcmp(value, "off")) {
			memset(&p->quarantine, 0, sizeof(p->quarantine));
			return 0;
		}
		return sf_parse_quarantine(value, &p->quarantine, err, errlen);
	}
	if (!strcmp(name, "dnsbl_zones"))
		return parse_zones(c, value, err, errlen);
	if (!strcmp(name, "dnsbl_addresses"))
		return parse_addresses(c, value, err, errlen);
	if (!strcmp(name, "dnsbl_interval")) {
		if (sf_parse_duration(value, &c->interval_s, err, errlen))
			return -EINVAL;
		if (c->interval_s < 10) {
			snprintf(err, errlen, "invalid dnsbl_interval '%s': at least 10 s", value);
			return -EINVAL;
		}
		return 0;
	}
	if (!strcmp(name, "dnsbl_resolver"))
		return sf_parse_resolver(value, c->resolver, sizeof(c->resolver), err, errlen);
	if (!strcmp(name, "on_listed"))
		return parse_on_listed(c, value, err, errlen);
	return 1;
}
