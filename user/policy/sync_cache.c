// SPDX-License-Identifier: GPL-2.0-only
#include "policy/sync_cache.h"
#include "util/write_file.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define MAGIC	"smtpfence kernel cache\n"
#define VERSION 1

/* The state the file was true in. Any change begun since moves target,
 * pid or since_ns (sf_gen_begin), any flip gen and changes, any recovery
 * recovered; new maps have new ids, a reboot another boot id. */
struct token {
	char boot_id[40];
	__u32 gen_map_id, rules_map_id;
	__u64 gen, target, since_ns, changes, recovered;
	__u32 pid, layout;
};

struct header {
	char magic[sizeof(MAGIC)];
	__u32 version;
	__u32 sizes[6]; /* of the element types, so that another layout is refused */
	struct token token;
	__u64 n_rules, n_exempt4, n_exempt6, n_source4, n_source6;
	__u64 len; /* of what follows the header */
	__u32 crc; /* crc32 of what follows the header */
	__u32 pad;
};

static const __u32 sizes[6] = {sizeof(struct sf_cached_rule), sizeof(struct sf_settings),
			       sizeof(struct sf_lpm4),	      sizeof(struct sf_lpm6),
			       sizeof(struct sf_source),      65536 / 8};

static int token_of(const struct sf_maps *m, const struct sf_gen *g, struct token *t)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");
	int err;

	memset(t, 0, sizeof(*t));
	if (!f)
		return -errno;
	if (!fgets(t->boot_id, sizeof(t->boot_id), f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	err = sf_map_id(m->gen, &t->gen_map_id);
	if (!err)
		err = sf_map_id(m->rules, &t->rules_map_id);
	t->gen = __atomic_load_n(&g->gen, __ATOMIC_SEQ_CST);
	t->target = g->target;
	t->since_ns = g->since_ns;
	t->changes = g->changes;
	t->recovered = g->recovered;
	t->pid = g->pid;
	t->layout = SF_LAYOUT_VERSION;
	return err;
}

/* The sections after the header, in order. */
static size_t body_len(const struct header *h)
{
	return h->n_rules * sizeof(struct sf_cached_rule) + sizeof(struct sf_settings) + 65536 / 8 +
	       h->n_exempt4 * sizeof(struct sf_lpm4) + h->n_exempt6 * sizeof(struct sf_lpm6) +
	       h->n_source4 * (sizeof(struct sf_lpm4) + sizeof(struct sf_source)) +
	       h->n_source6 * (sizeof(struct sf_lpm6) + sizeof(struct sf_source));
}

static const void *take(const char **at, size_t len)
{
	const void *p = *at;

	*at += len;
	return p;
}

static int read_all(const char *path, char **buf, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), err = 0;
	struct stat st;
	size_t off = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size < (off_t)sizeof(struct header)) {
		close(fd);
		return -EBADMSG;
	}
	*len = (size_t)st.st_size;
	*buf = malloc(*len);
	while (*buf && off < *len && !err) {
		ssize_t n = read(fd, *buf + off, *len - off);

		if (n < 0 && errno != EINTR)
			err = -errno;
		else if (n == 0)
			err = -EBADMSG; /* shorter than it was a moment ago */
		else if (n > 0)
			off += (size_t)n;
	}
	close(fd);
	if (!*buf)
		return -ENOMEM;
	if (err) {
		free(*buf);
		*buf = NULL;
	}
	return err;
}

int sf_sync_cache_load(const char *path, const struct sf_maps *m, const struct sf_gen *g,
		       struct sf_sync_cache *out)
{
	struct header h;
	struct token now;
	const char *at;
	char *buf = NULL;
	size_t len = 0;
	int err;

	memset(out, 0, sizeof(*out));
	err = read_all(path, &buf, &len);
	if (err)
		return err;
	memcpy(&h, buf, sizeof(h));
	if (memcmp(h.magic, MAGIC, sizeof(MAGIC)) || h.version != VERSION ||
	    memcmp(h.sizes, sizes, sizeof(sizes)) || h.len != len - sizeof(h) || h.n_rules > len ||
	    h.n_exempt4 > len || h.n_exempt6 > len || h.n_source4 > len || h.n_source6 > len ||
	    body_len(&h) != h.len ||
	    h.crc != (__u32)crc32_z(0, (const Bytef *)buf + sizeof(h), h.len)) {
		free(buf);
		return -EBADMSG;
	}
	err = token_of(m, g, &now);
	if (err || memcmp(&now, &h.token, sizeof(now))) {
		free(buf);
		return err ? err : -ESTALE;
	}
	at = buf + sizeof(h);
	out->buf = buf;
	out->n_rules = h.n_rules;
	out->rules = take(&at, h.n_rules * sizeof(*out->rules));
	out->settings = take(&at, sizeof(*out->settings));
	out->ports = take(&at, 65536 / 8);
	out->n_exempt4 = h.n_exempt4;
	out->exempt4 = take(&at, h.n_exempt4 * sizeof(*out->exempt4));
	out->n_exempt6 = h.n_exempt6;
	out->exempt6 = take(&at, h.n_exempt6 * sizeof(*out->exempt6));
	out->n_source4 = h.n_source4;
	out->source4 = take(&at, h.n_source4 * sizeof(*out->source4));
	out->source4_val = take(&at, h.n_source4 * sizeof(*out->source4_val));
	out->n_source6 = h.n_source6;
	out->source6 = take(&at, h.n_source6 * sizeof(*out->source6));
	out->source6_val = take(&at, h.n_source6 * sizeof(*out->source6_val));
	return 0;
}

void sf_sync_cache_free(struct sf_sync_cache *sc)
{
	free(sc->buf);
	memset(sc, 0, sizeof(*sc));
}

static void put(char **at, const void *p, size_t len)
{
	if (len)
		memcpy(*at, p, len);
	*at += len;
}

int sf_sync_cache_save(const char *path, const struct sf_maps *m, const struct sf_gen *g,
		       const struct sf_compiled *c)
{
	struct header h = {.version = VERSION,
			   .n_rules = c->n_rules,
			   .n_exempt4 = c->n_exempt4,
			   .n_exempt6 = c->n_exempt6,
			   .n_source4 = c->n_source4,
			   .n_source6 = c->n_source6};
	char *buf, *at;
	int err;

	memcpy(h.magic, MAGIC, sizeof(MAGIC));
	memcpy(h.sizes, sizes, sizeof(sizes));
	err = token_of(m, g, &h.token);
	if (err)
		return err;
	h.len = body_len(&h);
	buf = malloc(sizeof(h) + h.len);
	if (!buf)
		return -ENOMEM;
	at = buf + sizeof(h);
	for (size_t i = 0; i < c->n_rules; i++) {
		struct sf_cached_rule r = {.key = c->rules[i].key, .value = c->rules[i].value};

		put(&at, &r, sizeof(r));
	}
	put(&at, &c->settings, sizeof(c->settings));
	put(&at, c->ports, sizeof(c->ports));
	put(&at, c->exempt4, c->n_exempt4 * sizeof(*c->exempt4));
	put(&at, c->exempt6, c->n_exempt6 * sizeof(*c->exempt6));
	put(&at, c->source4, c->n_source4 * sizeof(*c->source4));
	put(&at, c->source4_val, c->n_source4 * sizeof(*c->source4_val));
	put(&at, c->source6, c->n_source6 * sizeof(*c->source6));
	put(&at, c->source6_val, c->n_source6 * sizeof(*c->source6_val));
	h.crc = (__u32)crc32_z(0, (const Bytef *)buf + sizeof(h), h.len);
	memcpy(buf, &h, sizeof(h));
	/* Whole or not at all: the next change reads it or finds none. */
	err = sf_write_replace(path, buf, sizeof(h) + h.len, false);
	free(buf);
	return err;
}

int sf_sync_cache_drop(const char *path)
{
	return unlink(path) && errno != ENOENT ? -errno : 0;
}

bool sf_sync_cache_same_rest(const struct sf_sync_cache *sc, const struct sf_compiled *c)
{
	return !memcmp(sc->settings, &c->settings, sizeof(c->settings)) &&
	       !memcmp(sc->ports, c->ports, sizeof(c->ports)) && sc->n_exempt4 == c->n_exempt4 &&
	       sc->n_exempt6 == c->n_exempt6 && sc->n_source4 == c->n_source4 &&
	       sc->n_source6 == c->n_source6 &&
	       !memcmp(sc->exempt4, c->exempt4, c->n_exempt4 * sizeof(*c->exempt4)) &&
	       !memcmp(sc->exempt6, c->exempt6, c->n_exempt6 * sizeof(*c->exempt6)) &&
	       !memcmp(sc->source4, c->source4, c->n_source4 * sizeof(*c->source4)) &&
	       !memcmp(sc->source4_val, c->source4_val, c->n_source4 * sizeof(*c->source4_val)) &&
	       !memcmp(sc->source6, c->source6, c->n_source6 * sizeof(*c->source6)) &&
	       !memcmp(sc->source6_val, c->source6_val, c->n_source6 * sizeof(*c->source6_val));
}
