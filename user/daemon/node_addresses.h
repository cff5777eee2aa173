/* SPDX-License-Identifier: GPL-2.0-only */
/* The node's outbound addresses: every address of its interfaces whose
 * scope is global (not loopback, link-local, multicast or unspecified;
 * private ranges are kept, their scope is global too), as text. */
#ifndef SF_NODE_ADDRESSES_H
#define SF_NODE_ADDRESSES_H

#include <stdbool.h>
#include <stddef.h>

/* Appends the addresses not yet in out[0..*n) up to max. 0 or -errno. */
int sf_node_addresses(char (*out)[46], size_t *n, size_t max);
/* Whether a textual address is of global scope (as above). */
bool sf_address_is_global(const char *text);

#endif /* SF_NODE_ADDRESSES_H */
