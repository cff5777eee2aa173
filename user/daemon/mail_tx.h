/* SPDX-License-Identifier: GPL-2.0-only */
/* The message transaction each MTA client connection is in, keyed by the
 * connection's full socket cookie (unique on the host for its life): a
 * bounded hash table of at most `max` connections; when full, the one
 * used least recently is forgotten, so no client can grow it. */
#ifndef SF_MAIL_TX_H
#define SF_MAIL_TX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sf_mail_txs;

struct sf_mail_tx {
	char instance[64]; /* the MTA's message (Postfix's instance) */
	bool prepended;	   /* the header was given for it */
};

struct sf_mail_txs *sf_mail_txs_new(size_t max);
void sf_mail_txs_free(struct sf_mail_txs *t);
/* The transaction of the connection with cookie, made the most recent;
 * with create, a new (empty) one when absent, else NULL. */
struct sf_mail_tx *sf_mail_txs_get(struct sf_mail_txs *t, uint64_t cookie, bool create);

#endif /* SF_MAIL_TX_H */
