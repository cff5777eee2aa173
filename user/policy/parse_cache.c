// SPDX-License-Identifier: GPL-2.0-only
#include "policy/parse_cache.h"
#include "util/write_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define MAGIC	  "smtpfence parse cache 2\n"
#define ALIGN8(n) (((n) + 7) & ~(size_t)7)

/* This binary: another build may lay its structs out otherwise. */
struct build_id {
	uint64_t dev, ino, size, mtime_ns;
};

struct header {
	char magic[sizeof(MAGIC)];
	struct build_id build;
	uint64_t n_files;
	uint32_t crc; /* crc32 of what follows the header */
	uint32_t pad;
};

struct file_stat {
	uint64_t dev, ino, size, mtime_ns, ctime_ns;
};

struct sf_parse_cache_file {
	struct file_stat st;
	uint64_t n_rules;
	uint32_t path_len, pad; /* the path follows, NUL-ended, padded to 8 */
};

/* A rule without its pointers, in 16 bytes: the parts most rules leave
 * zero follow only when set (flags), then the value, NUL-ended; each part
 * padded to 8. */
struct rule_rec {
	uint8_t kind, action, origin, flags;
	int32_t line;
	uint32_t value_len, pad;
};

enum { REC_CIDR = 1, REC_RATE = 2, REC_MAIL = 4, REC_QUARANTINE = 8, REC_QUARANTINED = 16 };

static const struct sf_rule_spec zero;

/* Size of the optional parts of a record with these flags. */
static size_t extra_len(unsigned int flags)
{
	return (flags & REC_CIDR ? sizeof(zero.cidr) : 0) +
	       (flags & REC_RATE ? sizeof(zero.rate) : 0) +
	       (flags & REC_MAIL ? sizeof(zero.mail) : 0) +
	       (flags & REC_QUARANTINE ? sizeof(zero.quarantine) : 0);
}

static size_t rec_len(const struct rule_rec *rec)
{
	return sizeof(*rec) + ALIGN8(extra_len(rec->flags)) + ALIGN8((size_t)rec->value_len + 1);
}

static const char *value_of(const struct rule_rec *rec)
{
	return (const char *)(rec + 1) + ALIGN8(extra_len(rec->flags));
}

/* The optional parts a rule needs: those not all zero. */
static unsigned int flags_of(const struct sf_rule_spec *s)
{
	return (memcmp(&s->cidr, &zero.cidr, sizeof(s->cidr)) ? REC_CIDR : 0) |
	       (memcmp(&s->rate, &zero.rate, sizeof(s->rate)) ? REC_RATE : 0) |
	       (memcmp(&s->mail, &zero.mail, sizeof(s->mail)) ? REC_MAIL : 0) |
	       (memcmp(&s->quarantine, &zero.quarantine, sizeof(s->quarantine)) ? REC_QUARANTINE
										: 0) |
	       (s->quarantined ? REC_QUARANTINED : 0);
}

static uint64_t ns_of(const struct timespec *t)
{
	return (uint64_t)t->tv_sec * 1000000000ULL + (uint64_t)t->tv_nsec;
}

static struct file_stat stat_of(const struct stat *st)
{
	return (struct file_stat){(uint64_t)st->st_dev, (uint64_t)st->st_ino, (uint64_t)st->st_size,
				  ns_of(&st->st_mtim), ns_of(&st->st_ctim)};
}

static int build_of(struct build_id *b)
{
	struct stat st;

	memset(b, 0, sizeof(*b));
	if (stat("/proc/self/exe", &st))
		return -errno;
	*b = (struct build_id){(uint64_t)st.st_dev, (uint64_t)st.st_ino, (uint64_t)st.st_size,
			       ns_of(&st.st_mtim)};
	return 0;
}

static int cmp_file(const void *a, const void *b)
{
	const struct sf_parse_cache_file *x = *(const struct sf_parse_cache_file *const *)a;
	const struct sf_parse_cache_file *y = *(const struct sf_parse_cache_file *const *)b;

	return strcmp((const char *)(x + 1), (const char *)(y + 1));
}

/* Read, not mapped: a file cut short under a mapping would fault. */
static bool read_whole(const char *path, struct sf_parse_cache *pc)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	size_t off = 0;

	if (fd < 0)
		return false;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size < (off_t)sizeof(struct header) ||
	    !(pc->buf = malloc((size_t)st.st_size))) {
		close(fd);
		return false;
	}
	pc->len = (size_t)st.st_size;
	while (off < pc->len) {
		ssize_t n = read(fd, pc->buf + off, pc->len - off);

		if (n <= 0 && !(n < 0 && errno == EINTR))
			break;
		if (n > 0)
			off += (size_t)n;
	}
	close(fd);
	return off == pc->len;
}

/* Walks the entries once: every length within the buffer, every string
 * ended where its length says. */
static bool index_files(struct sf_parse_cache *pc, uint64_t n_files)
{
	size_t at = sizeof(struct header);

	if (n_files > pc->len / sizeof(struct sf_parse_cache_file))
		return false;
	pc->files = calloc(n_files + 1, sizeof(*pc->files));
	if (!pc->files)
		return false;
	for (uint64_t i = 0; i < n_files; i++) {
		const struct sf_parse_cache_file *f = (const void *)(pc->buf + at);

		if (pc->len - at < sizeof(*f))
			return false;
		at += sizeof(*f);
		if (pc->len - at < ALIGN8((size_t)f->path_len + 1) ||
		    pc->buf[at + f->path_len] != '\0' || strlen(pc->buf + at) != f->path_len)
			return false;
		at += ALIGN8((size_t)f->path_len + 1);
		if (f->n_rules > pc->len / sizeof(struct rule_rec))
			return false;
		for (uint64_t r = 0; r < f->n_rules; r++) {
			const struct rule_rec *rec = (const void *)(pc->buf + at);
			const char *v;

			if (pc->len - at < sizeof(*rec) || rec->value_len > pc->len ||
			    pc->len - at < rec_len(rec))
				return false;
			v = value_of(rec);
			if (v[rec->value_len] != '\0' || strlen(v) != rec->value_len)
				return false;
			at += rec_len(rec);
		}
		pc->files[pc->n_files++] = f;
	}
	if (at != pc->len)
		return false;
	qsort(pc->files, pc->n_files, sizeof(*pc->files), cmp_file);
	return true;
}

void sf_parse_cache_load(const char *path, struct sf_parse_cache *pc)
{
	struct build_id me;
	struct header h;

	memset(pc, 0, sizeof(*pc));
	if (build_of(&me) || !read_whole(path, pc))
		goto none;
	memcpy(&h, pc->buf, sizeof(h));
	if (memcmp(h.magic, MAGIC, sizeof(MAGIC)) || memcmp(&h.build, &me, sizeof(me)) ||
	    h.crc !=
		    (uint32_t)crc32_z(0, (const Bytef *)pc->buf + sizeof(h), pc->len - sizeof(h)) ||
	    !index_files(pc, h.n_files))
		goto none;
	return;
none:
	sf_parse_cache_free(pc);
}

void sf_parse_cache_free(struct sf_parse_cache *pc)
{
	free(pc->buf);
	free(pc->files);
	memset(pc, 0, sizeof(*pc));
}

/* The optional part `flag` of a record into *to, if it has it; what
 * follows it. */
static const char *take_part(const char *at, unsigned int flags, unsigned int flag, void *to,
			     size_t len)
{
	if (!(flags & flag))
		return at;
	memcpy(to, at, len);
	return at + len;
}

bool sf_parse_cache_take(const struct sf_parse_cache *pc, const char *path, const struct stat *st,
			 struct sf_policy *p)
{
	struct {
		struct sf_parse_cache_file f;
		char path[PATH_MAX + 256];
	} key;
	const struct sf_parse_cache_file *k = &key.f, **found;
	struct file_stat now = stat_of(st);
	const char *at, *file;

	if (!pc->n_files ||
	    snprintf(key.path, sizeof(key.path), "%s", path) >= (int)sizeof(key.path))
		return false;
	found = bsearch(&k, pc->files, pc->n_files, sizeof(*pc->files), cmp_file);
	if (!found || memcmp(&(*found)->st, &now, sizeof(now)))
		return false;
	file = sf_policy_intern_file(p, path);
	if (!file || sf_policy_reserve(p, (size_t)(*found)->n_rules))
		return false; /* out of memory: the caller parses (and says it) */
	at = (const char *)(*found + 1) + ALIGN8((size_t)(*found)->path_len + 1);
	for (uint64_t i = 0; i < (*found)->n_rules; i++) {
		const struct rule_rec *rec = (const void *)at;
		struct sf_rule_spec *r = &p->rules[p->n_rules++];
		const char *part = (const char *)(rec + 1);

		memset(r, 0, sizeof(*r));
		r->kind = (enum sf_target_kind)rec->kind;
		r->action = rec->action;
		r->origin = rec->origin;
		r->line = rec->line;
		r->quarantined = rec->flags & REC_QUARANTINED;
		part = take_part(part, rec->flags, REC_CIDR, &r->cidr, sizeof(r->cidr));
		part = take_part(part, rec->flags, REC_RATE, &r->rate, sizeof(r->rate));
		part = take_part(part, rec->flags, REC_MAIL, &r->mail, sizeof(r->mail));
		take_part(part, rec->flags, REC_QUARANTINE, &r->quarantine, sizeof(r->quarantine));
		/* The text stays in the cache's buffer: sf_parse_cache_keep. */
		r->value = (char *)value_of(rec);
		r->borrowed = true;
		r->file = file;
		at += rec_len(rec);
	}
	return true;
}

void sf_parse_cache_keep(struct sf_parse_cache *pc, struct sf_policy *p)
{
	if (p->arena || !pc->buf)
		return;
	p->arena = pc->buf;
	pc->buf = NULL;
}

bool sf_parse_cache_stable(const struct stat *before, const struct stat *after)
{
	struct file_stat a = stat_of(before), b = stat_of(after);
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return !memcmp(&a, &b, sizeof(a)) && a.ctime_ns + 1000000000ULL < ns_of(&now);
}

static void put(char **at, const void *p, size_t len, size_t padded)
{
	memcpy(*at, p, len);
	memset(*at + len, 0, padded - len);
	*at += padded;
}

/* One record (buffer zeroed: the padding is). */
static void put_rule(char **at, const struct sf_rule_spec *s)
{
	struct rule_rec rec = {.kind = (uint8_t)s->kind,
			       .action = (uint8_t)s->action,
			       .origin = (uint8_t)s->origin,
			       .flags = (uint8_t)flags_of(s),
			       .line = s->line,
			       .value_len = (uint32_t)strlen(s->value)};
	char *part;

	put(at, &rec, sizeof(rec), sizeof(rec));
	part = *at;
	if (rec.flags & REC_CIDR)
		part = mempcpy(part, &s->cidr, sizeof(s->cidr));
	if (rec.flags & REC_RATE)
		part = mempcpy(part, &s->rate, sizeof(s->rate));
	if (rec.flags & REC_MAIL)
		part = mempcpy(part, &s->mail, sizeof(s->mail));
	if (rec.flags & REC_QUARANTINE)
		mempcpy(part, &s->quarantine, sizeof(s->quarantine));
	*at += ALIGN8(extra_len(rec.flags));
	put(at, s->value, rec.value_len + 1, ALIGN8((size_t)rec.value_len + 1));
}

int sf_parse_cache_save(const char *path, const struct sf_policy *p,
			const struct sf_parse_span *spans, size_t n)
{
	struct header h = {.n_files = 0};
	size_t len = sizeof(h);
	char *buf, *at;
	int err = build_of(&h.build);

	if (err)
		return err;
	memcpy(h.magic, MAGIC, sizeof(MAGIC));
	for (size_t i = 0; i < n; i++) {
		if (!spans[i].ok)
			continue;
		h.n_files++;
		len += sizeof(struct sf_parse_cache_file) + ALIGN8(strlen(spans[i].path) + 1);
		for (size_t r = spans[i].first; r < spans[i].first + spans[i].n; r++)
			len += sizeof(struct rule_rec) + ALIGN8(extra_len(flags_of(&p->rules[r]))) +
			       ALIGN8(strlen(p->rules[r].value) + 1);
	}
	buf = calloc(1, len);
	if (!buf)
		return -ENOMEM;
	at = buf;
	put(&at, &h, sizeof(h), sizeof(h));
	for (size_t i = 0; i < n; i++) {
		struct sf_parse_cache_file f = {.st = stat_of(&spans[i].st), .n_rules = spans[i].n};

		if (!spans[i].ok)
			continue;
		f.path_len = (uint32_t)strlen(spans[i].path);
		put(&at, &f, sizeof(f), sizeof(f));
		put(&at, spans[i].path, f.path_len + 1, ALIGN8((size_t)f.path_len + 1));
		for (size_t r = spans[i].first; r < spans[i].first + spans[i].n; r++)
			put_rule(&at, &p->rules[r]);
	}
	h.crc = (uint32_t)crc32_z(0, (const Bytef *)buf + sizeof(h), len - sizeof(h));
	memcpy(buf, &h, sizeof(h));
	err = sf_write_replace(path, buf, len, false); /* a cache: no need to flush */
	free(buf);
	return err;
}
