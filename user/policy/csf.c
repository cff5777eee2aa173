// SPDX-License-Identifier: GPL-2.0-only
#include "policy/csf.h"
#include "policy/parse.h"

#include <errno.h>
#include <grp.h>
#include <ini.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SETTINGS 64
#define VALUE_LEN    4096

struct setting {
	char name[64];
	char value[VALUE_LEN];
	int line;
};

struct csf {
	const char *path;
	FILE *stream;
	char *linebuf;
	size_t linecap;
	int line;
	struct setting s[MAX_SETTINGS];
	size_t n;
	struct sf_diag *d;
	FILE *out, *notes;
	char notes_text[16384]; /* the same notes, as comments in the policy */
	size_t notes_len;
};

/* The settings read; every other key of csf.conf is not about SMTP. */
static const char *const wanted[] = {
	"SMTP_BLOCK",
	"SMTP_PORTS",
	"SMTP_ALLOWLOCAL",
	"SMTP_ALLOWUSER",
	"SMTP_ALLOWGROUP",
	"SMTP_REDIRECT",
	"SMTP_REDIRECT6",
	"DROP_OUT",
	"IPV6",
	"TCP_OUT",
	"TCP6_OUT",
	"TESTING",
	"SMTPAUTH_RESTRICT",
	"LF_SMTPAUTH",
	"LF_SCRIPT_ALERT",
	"LF_SCRIPT_LIMIT",
	"RT_RELAY_ALERT",
	"RT_AUTHRELAY_ALERT",
	"RT_POPRELAY_ALERT",
	"RT_LOCALRELAY_ALERT",
	"RT_LOCALHOSTRELAY_ALERT",
};

/* Counts lines for file:line; leading blanks are not continuations. */
static char *read_line(char *str, int num, void *stream)
{
	struct csf *c = stream;
	ssize_t n = getline(&c->linebuf, &c->linecap, c->stream);
	const char *s;

	if (n < 0)
		return NULL;
	c->line++;
	for (s = c->linebuf; *s == ' ' || *s == '\t'; s++)
		;
	if (strlen(s) >= (size_t)num) {
		sf_diag_add(c->d, c->path, c->line, "line too long (at most %d characters)",
			    num - 2);
		s = "\n";
	}
	strcpy(str, s);
	return str;
}

static struct setting *find(struct csf *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->s[i].name, name))
			return &c->s[i];
	return NULL;
}

static bool is_wanted(const char *name)
{
	for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++)
		if (!strcmp(wanted[i], name))
			return true;
	return false;
}

/* csf.conf writes KEY = "VALUE"; CSF takes the last of a repeated key. */
static int on_key(void *user, const char *section, const char *name, const char *value)
{
	struct csf *c = user;
	struct setting *s;
	size_t len = strlen(value);

	if (section[0]) {
		sf_diag_add(c->d, c->path, c->line, "csf.conf has no sections: [%s]", section);
		return 1;
	}
	if (len < 2 || value[0] != '"' || value[len - 1] != '"') {
		sf_diag_add(c->d, c->path, c->line, "%s: value %s is not in double quotes", name,
			    value);
		return 1;
	}
	if (!is_wanted(name))
		return 1;
	s = find(c, name);
	if (!s && c->n < MAX_SETTINGS)
		s = &c->s[c->n++];
	if (!s)
		return 1;
	snprintf(s->name, sizeof(s->name), "%s", name);
	snprintf(s->value, sizeof(s->value), "%.*s", (int)(len - 2), value + 1);
	s->line = c->line;
	return 1;
}

static const char *value_of(struct csf *c, const char *name, const char *absent)
{
	struct setting *s = find(c, name);

	return s ? s->value : absent;
}

static int line_of(struct csf *c, const char *name)
{
	struct setting *s = find(c, name);

	return s ? s->line : 0;
}

/* "0" or "1"; anything else is refused at its line. */
static bool flag(struct csf *c, const char *name)
{
	const char *v = value_of(c, name, "0");

	if (strcmp(v, "0") && strcmp(v, "1"))
		sf_diag_add(c->d, c->path, line_of(c, name), "%s: '%s' is not 0 or 1", name, v);
	return !strcmp(v, "1");
}

static void note(struct csf *c, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void note(struct csf *c, const char *name, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(c->notes, "%s:%d: %s: %s\n", c->path, line_of(c, name), name, msg);
	n = snprintf(c->notes_text + c->notes_len, sizeof(c->notes_text) - c->notes_len,
		     "# %s (line %d): %s\n", name, line_of(c, name), msg);
	if (n > 0 && c->notes_len + (size_t)n < sizeof(c->notes_text))
		c->notes_len += (size_t)n;
}

/* Is this non-empty and not "0"? (CSF's own test for a setting in use.) */
static bool in_use(struct csf *c, const char *name)
{
	const char *v = value_of(c, name, "");

	return v[0] && strcmp(v, "0");
}

/* SMTP_PORTS "25,465,587" -> "25 465 587"; each port checked. */
static void ports(struct csf *c, char *out, size_t len, char *missing, size_t mlen)
{
	size_t moff = 0;

	char list[VALUE_LEN], *save, *p, err[256];
	const char *tcp_out = value_of(c, "TCP_OUT", NULL);
	size_t off = 0;

	snprintf(list, sizeof(list), "%s", value_of(c, "SMTP_PORTS", "25,465,587"));
	out[0] = missing[0] = '\0';
	for (p = strtok_r(list, ", \t", &save); p; p = strtok_r(NULL, ", \t", &save)) {
		uint16_t port;
		char want[16];

		if (sf_parse_port(p, &port, err, sizeof(err))) {
			sf_diag_add(c->d, c->path, line_of(c, "SMTP_PORTS"), "SMTP_PORTS: %s", err);
			continue;
		}
		off += (size_t)snprintf(out + off, len - off, "%s%u", off ? " " : "", port);
		snprintf(want, sizeof(want), ",%u,", port);
		if (tcp_out) {
			char padded[VALUE_LEN + 2];

			snprintf(padded, sizeof(padded), ",%s,", tcp_out);
			for (char *q = padded; *q; q++)
				if (*q == ' ')
					*q = ',';
			if (!strstr(padded, want))
				moff += (size_t)snprintf(missing + moff, mlen - moff, "%s%u",
							 moff ? ", " : "", port);
		}
	}
}

/* SMTP_ALLOWUSER / SMTP_ALLOWGROUP: a rule for each that exists here. */
static void allow_list(struct csf *c, const char *name, bool user, FILE *rules)
{
	char list[VALUE_LEN], *save, *p, target[512], err[256];
	struct sf_target_spec t;

	snprintf(list, sizeof(list), "%s", value_of(c, name, ""));
	for (p = strtok_r(list, ", \t", &save); p; p = strtok_r(NULL, ", \t", &save)) {
		snprintf(target, sizeof(target), "%s:%s", user ? "user" : "group", p);
		if (sf_parse_target(target, &t, err, sizeof(err))) {
			sf_diag_add(c->d, c->path, line_of(c, name), "%s: %s", name, err);
			continue;
		}
		if (user ? !getpwnam(p) : !getgrnam(p)) {
			note(c, name, "no %s '%s' on this host: left out (CSF skips it too)",
			     user ? "user" : "group", p);
			continue;
		}
		if (user && !strcmp(p, "root"))
			continue; /* allowed anyway, below */
		fprintf(rules, "allow = %s\n", target);
	}
}

/* What bears on SMTP but is not a connect rule. */
static void other_notes(struct csf *c, bool block, const char *missing_port)
{
	if (block && in_use(c, "SMTP_REDIRECT"))
		note(c, "SMTP_REDIRECT",
		     "not carried over: this build has no redirect action, so the policy "
		     "denies what CSF redirected to the local MTA; tenants' direct SMTP now fails");
	if (block && in_use(c, "SMTP_REDIRECT6"))
		note(c, "SMTP_REDIRECT6", "not carried over: as SMTP_REDIRECT, for IPv6");
	if (block && !strcmp(value_of(c, "IPV6", "1"), "0"))
		note(c, "IPV6",
		     "CSF left IPv6 alone; smtpfence judges IPv6 connects by the same policy");
	if (missing_port[0])
		note(c, "TCP_OUT",
		     "does not open port %s, so CSF blocks it for everyone, root included; "
		     "smtpfence is no general egress firewall: keep that in CSF or nftables",
		     missing_port);
	if (in_use(c, "TESTING"))
		note(c, "TESTING",
		     "CSF is in testing mode (its rules are flushed every few minutes); the "
		     "imported policy enforces for good");
	if (in_use(c, "SMTPAUTH_RESTRICT"))
		note(c, "SMTPAUTH_RESTRICT",
		     "not carried over: it restricts inbound SMTP AUTH to Exim, not outbound "
		     "connects");
	if (in_use(c, "LF_SMTPAUTH"))
		note(c, "LF_SMTPAUTH",
		     "not carried over: it blocks inbound SMTP AUTH login failures (lfd)");
	if (in_use(c, "LF_SCRIPT_ALERT"))
		note(c, "LF_SCRIPT_ALERT",
		     "not carried over: it counts mail scripts send through Exim (its log), not "
		     "connects; alert_denied_per_min alerts on direct attempts");
	if (in_use(c, "LF_SCRIPT_LIMIT"))
		note(c, "LF_SCRIPT_LIMIT",
		     "not carried over: it blocks scripts' mail in Exim; a limit rule caps a "
		     "tenant's direct connects instead");
	for (size_t i = 0; i < c->n; i++)
		if (!strncmp(c->s[i].name, "RT_", 3) && in_use(c, c->s[i].name))
			note(c, c->s[i].name,
			     "not carried over: lfd's relay tracking counts messages in Exim's "
			     "log per hour; smtpfence counts connects (flows, metrics)");
}

static int convert(struct csf *c)
{
	char port_list[1024], missing_port[1024];
	bool block = flag(c, "SMTP_BLOCK"), local = flag(c, "SMTP_ALLOWLOCAL");
	const char *drop = value_of(c, "DROP_OUT", "DROP");
	char *rules_text = NULL;
	size_t rules_len = 0;
	FILE *rules = open_memstream(&rules_text, &rules_len);

	if (!rules)
		return -errno;
	flag(c, "SMTP_REDIRECT");
	ports(c, port_list, sizeof(port_list), missing_port, sizeof(missing_port));
	if (block) {
		fprintf(rules, "allow = user:root\n");
		allow_list(c, "SMTP_ALLOWUSER", true, rules);
		allow_list(c, "SMTP_ALLOWGROUP", false, rules);
	} else {
		note(c, "SMTP_BLOCK",
		     "off: CSF does not restrict outbound SMTP, so neither does this policy "
		     "(default = allow; default = log audits who would be denied)");
	}
	if (block && strcmp(drop, "DROP") && strcmp(drop, "REJECT"))
		sf_diag_add(c->d, c->path, line_of(c, "DROP_OUT"),
			    "DROP_OUT: '%s' is not DROP or "
			    "REJECT",
			    drop);
	if (block && !strcmp(drop, "DROP"))
		note(c, "DROP_OUT",
		     "DROP left callers waiting for a timeout; smtpfence fails connect() at once "
		     "with EPERM");
	if (block && local)
		note(c, "SMTP_ALLOWLOCAL",
		     "CSF accepts everything routed over lo, the node's own addresses too; "
		     "smtpfence exempts loopback: add those addresses to exempt if tenants "
		     "reach the local MTA by them");
	other_notes(c, block, missing_port);
	if (fclose(rules))
		return -errno;
	if (c->d->n) {
		free(rules_text);
		return -EINVAL;
	}
	fprintf(c->out, "# smtpfence policy imported from %s (smtpfence import csf)\n", c->path);
	if (c->notes_len)
		fprintf(c->out, "# Not carried over, or different:\n%s", c->notes_text);
	fprintf(c->out, "\n[global]\nports = %s\ndefault = %s\n", port_list,
		block ? "deny" : "allow");
	if (block && local)
		fprintf(c->out, "exempt = 127.0.0.0/8 ::1/128\n");
	if (block && !strcmp(drop, "REJECT"))
		fprintf(c->out, "# DROP_OUT = REJECT: callers saw the connection refused\n"
				"deny_errno = ECONNREFUSED\n");
	if (rules_len)
		fprintf(c->out, "\n[rules]\n%s", rules_text);
	free(rules_text);
	return 0;
}

int sf_csf_import(const char *path, FILE *out, FILE *notes, struct sf_diag *d)
{
	struct csf *c = calloc(1, sizeof(*c));
	int line, err;

	if (!c)
		return -ENOMEM;
	*c = (struct csf){.path = path, .d = d, .out = out, .notes = notes};
	c->stream = fopen(path, "re");
	if (!c->stream) {
		err = -errno;
		free(c);
		return err;
	}
	line = ini_parse_stream(read_line, c, on_key, c);
	if (line > 0)
		sf_diag_add(d, path, line, "syntax error: expected KEY = \"VALUE\"");
	fclose(c->stream);
	free(c->linebuf);
	err = line < 0 ? -ENOMEM : d->n ? -EINVAL : convert(c);
	free(c);
	return err;
}
