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

#define MAGIC	  "smtpfence parse cache 1\n"
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

/* A rule without its pointers; its value follows, NUL-ended, padded to 8. */
struct rule_rec {
	int32_t kind, action, origin, line;
	struct sf_cidr cidr;
	struct sf_rate rate;
	struct sf_mail_limits mail;
	struct sf_quarantine_spec quarantine;
	uint32_t value_len;
	uint8_t quarantined, pad[3];
};

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

			if (pc->len - at < sizeof(*rec))
				return false;
			at += sizeof(*rec);
			if (pc->len - at < ALIGN8((size_t)rec->value_len + 1) ||
			    pc->buf[at + rec->value_len] != '\0' ||
			    strlen(pc->buf + at) != rec->value_len)
				return false;
			at += ALIGN8((size_t)rec->value_len + 1);
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

bool sf_parse_cache_take(const struct sf_parse_cache *pc, const char *path, const struct stat *st,
			 struct sf_policy *p)
{
	struct {
		struct sf_parse_cache_file f;
		char path[PATH_MAX + 256];
	} key;
	const struct sf_parse_cache_file *k = &key.f, **found;
	struct file_stat now = stat_of(st);
	const char *at;

	if (!pc->n_files ||
	    snprintf(key.path, sizeof(key.path), "%s", path) >= (int)sizeof(key.path))
		return false;
	found = bsearch(&k, pc->files, pc->n_files, sizeof(*pc->files), cmp_file);
	if (!found || memcmp(&(*found)->st, &now, sizeof(now)))
		return false;
	at = (const char *)(*found + 1) + ALIGN8((size_t)(*found)->path_len + 1);
	for (uint64_t i = 0; i < (*found)->n_rules; i++) {
		const struct rule_rec *rec = (const void *)at;
		struct sf_rule_spec r = {.kind = (enum sf_target_kind)rec->kind,
					 .action = rec->action,
					 .origin = rec->origin,
					 .value = (char *)(rec + 1),
					 .cidr = rec->cidr,
					 .rate = rec->rate,
					 .mail = rec->mail,
					 .file = path,
					 .line = rec->line,
					 .quarantine = rec->quarantine,
					 .quarantined = rec->quarantined};

		if (sf_policy_add_rule(p, &r)) {
			/* out of memory: none of it, the caller parses (and says it) */
			while (i-- > 0)
				sf_policy_remove(p, p->n_rules - 1);
			return false;
		}
		at += sizeof(*rec) + ALIGN8((size_t)rec->value_len + 1);
	}
	return true;
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
			len += sizeof(struct rule_rec) + ALIGN8(strlen(p->rules[r].value) + 1);
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
		for (size_t r = spans[i].first; r < spans[i].first + spans[i].n; r++) {
			const struct sf_rule_spec *s = &p->rules[r];
			struct rule_rec rec;

			memset(&rec, 0, sizeof(rec));
			rec.kind = (int32_t)s->kind;
			rec.action = s->action;
			rec.origin = s->origin;
			rec.line = s->line;
			rec.cidr = s->cidr;
			rec.rate = s->rate;
			rec.mail = s->mail;
			rec.quarantine = s->quarantine;
			rec.quarantined = s->quarantined;
			rec.value_len = (uint32_t)strlen(s->value);
			put(&at, &rec, sizeof(rec), sizeof(rec));
			put(&at, s->value, rec.value_len + 1, ALIGN8((size_t)rec.value_len + 1));
		}
	}
	h.crc = (uint32_t)crc32_z(0, (const Bytef *)buf + sizeof(h), len - sizeof(h));
	memcpy(buf, &h, sizeof(h));
	err = sf_write_replace(path, buf, len, false); /* a cache: no need to flush */
	free(buf);
	return err;
}
