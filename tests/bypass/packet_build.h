/* SPDX-License-Identifier: GPL-2.0-only */
/* Hand-made packets for the bypass tests: an Ethernet frame holding IPv4
 * or IPv6 (with options, extension headers, fragments) and TCP or UDP, as
 * bpf_prog_test_run and raw sockets take them. */
#ifndef SFT_PACKET_BUILD_H
#define SFT_PACKET_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SFT_TCP_SYN 0x02
#define SFT_TCP_ACK 0x10
#define SFT_TCP_PSH 0x08
#define SFT_MAX_EXT 12

struct sft_pkt {
	int family; /* 4 or 6 */
	const char *src, *dst;
	uint8_t proto;		  /* 0 or 6: TCP; 17: UDP */
	uint16_t sport, dport;	  /* sport 0: 40000 */
	uint8_t flags;		  /* TCP flags */
	int ip_opts;		  /* IPv4 option bytes, a multiple of 4 */
	uint8_t ext[SFT_MAX_EXT]; /* IPv6 extension headers before the fragment header */
	int n_ext;
	bool fragment;	   /* a fragment (IPv6: with a fragment header) */
	int frag;	   /* its offset in 8-byte units */
	bool more;	   /* more fragments follow */
	uint8_t frag_next; /* IPv6: the fragment header's next header (0: what follows) */
	uint8_t frag_ext[SFT_MAX_EXT]; /* IPv6 extension headers after the fragment header */
	int n_frag_ext;
	bool no_l4;	     /* no transport bytes at all (a first fragment of headers only) */
	int l4_len;	     /* bytes of the transport header and payload (default 20) */
	const char *payload; /* after a 20-byte TCP header */
	int cut;	     /* bytes cut off the end, beyond what the headers say */
};

/* Writes the frame into buf (Ethernet header first); returns its length. */
size_t sft_pkt_build(const struct sft_pkt *p, uint8_t *buf, size_t len);
/* The IP datagram alone: offset of the IP header in a built frame. */
#define SFT_ETH_HLEN 14

#endif /* SFT_PACKET_BUILD_H */
