/* SPDX-License-Identifier: GPL-2.0-only */
/* The client side of the daemon's event socket (see event_hub.h), for
 * `events` and `top`. */
#ifndef SF_EVENT_CLIENT_H
#define SF_EVENT_CLIENT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

/* The daemon's event socket, in its run directory. */
#define SF_EVENTS_SOCKET "events.sock"

struct sf_event_client;

/* Connects and asks for the history, then (follow) every new event.
 * -ENOENT or -ECONNREFUSED when no daemon serves run_dir. */
int sf_event_client_open(struct sf_event_client **out, const char *run_dir, bool follow,
			 bool nonblock);
/* The same with the request word: "history" (the ring, then the end),
 * "follow" (the ring, then every new record) or "live" (new records only). */
int sf_event_client_request(struct sf_event_client **out, const char *run_dir, const char *word,
			    bool nonblock);
/* The next record: 1 and *o (caller puts it), 0 when none is ready yet
 * (non-blocking), -EPIPE at the end of the stream, or -errno. */
int sf_event_client_next(struct sf_event_client *c, json_object **o);
void sf_event_client_close(struct sf_event_client *c);

#endif /* SF_EVENT_CLIENT_H */
