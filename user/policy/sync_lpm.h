/* SPDX-License-Identifier: GPL-2.0-only */
/* The exempt and source tries in generations. A trie's longest match must
 * give each slot its own policy's answer, so every entry carries, per slot,
 * the answer its prefix gets in that slot's policy (from the longest
 * prefix of the policy that covers it), and the trie holds the prefixes of
 * both policies. Writing the next slot never changes what the live slot of
 * any address resolves to. */
#ifndef SF_SYNC_LPM_H
#define SF_SYNC_LPM_H

#include "smtpfence.h"

#include <stddef.h>

/* want: n prefixes (struct sf_lpm4 or sf_lpm6, key_size) exempt in the
 * next slot; live: the slot the judge reads now. */
int sf_sync_exempt(int fd, const void *want, size_t n, size_t key_size, __u32 live);
/* The same for source prefixes, each with its rule's id. */
int sf_sync_sources(int fd, const void *want, const struct sf_source *ids, size_t n,
		    size_t key_size, __u32 live);

#endif /* SF_SYNC_LPM_H */
