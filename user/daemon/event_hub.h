/* SPDX-License-Identifier: GPL-2.0-only */
/* The daemon's event history and its subscribers: a bounded ring of the
 * latest events, served as JSON lines over a Unix socket in the run
 * directory (mode 0600, root peers only). A client sends "history\n" (the
 * ring, then end of stream), "follow\n" (the ring, then every new event) or
 * "live\n" (only the new events).
 * A subscriber too slow to keep up loses events, and is told how many in a
 * {"type":"lost","count":N} line: never silently. */
#ifndef SF_EVENT_HUB_H
#define SF_EVENT_HUB_H

#include "view/event_client.h"

#include <linux/types.h>
#include <stddef.h>

#define SF_EVENT_HISTORY 1024

struct sf_event_hub;

/* 0 or -errno; -EADDRINUSE when another daemon serves this run directory. */
int sf_event_hub_open(struct sf_event_hub **out, const char *run_dir, size_t history);
/* One fd to poll for POLLIN: new clients, requests, writable clients. */
int sf_event_hub_fd(const struct sf_event_hub *h);
void sf_event_hub_io(struct sf_event_hub *h);
/* line: one JSON object, without the newline. */
void sf_event_hub_publish(struct sf_event_hub *h, const char *line);
/* Lines subscribers lost (safe to call from another thread). */
__u64 sf_event_hub_lost(const struct sf_event_hub *h);
/* Closes every connection and removes the socket. */
void sf_event_hub_close(struct sf_event_hub *h);

#endif /* SF_EVENT_HUB_H */
