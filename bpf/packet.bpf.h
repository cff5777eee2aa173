/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Finds the TCP SYN that opens a connection in an outgoing packet. Reads
 * relative to the network header, so it serves cgroup_skb (which sees the
 * packet from the IP header on) and tc (which sees the link header too). */
#ifndef SF_PACKET_BPF_H
#define SF_PACKET_BPF_H

#include "judge.bpf.h"
#include <linux/ip.h>
#include <linux/ipv6.h>

#define SF_ETH_P_IP	0x0800
#define SF_ETH_P_IPV6	0x86DD
#define SF_PROTO_TCP	6
#define SF_TCP_SYN	0x02
#define SF_TCP_ACK	0x10
#define SF_TCP_FLAGS_AT 13
/* More IPv6 extension headers than any real stack sends before TCP. */
#define SF_MAX_EXT_HEADERS 8

enum sf_pkt_kind {
	SF_PKT_OTHER = 0, /* not a TCP opening: none of our business */
	SF_PKT_SYN,	  /* SYN without ACK, or TCP whose flags are not in this packet */
	SF_PKT_MALFORMED, /* could rewrite a TCP header past the judge: dropped */
};

struct sf_pkt {
	struct sf_flow_key fk; /* family, dport, daddr */
	__u8 saddr[16];
};

static __always_inline int sf_load(struct __sk_buff *skb, __u32 off, void *to, __u32 len)
{
	return bpf_skb_load_bytes_relative(skb, off, to, len, BPF_HDR_START_NET);
}

/* The TCP header at `l4`, of which the IP header says `avail` bytes are in
 * this packet. A packet that holds the ports but not the flags (a tiny
 * first fragment, a cut-off header) is judged as a SYN: the judge cannot
 * tell, so it assumes the worst. */
static __always_inline int sf_parse_tcp(struct __sk_buff *skb, __u32 l4, __u32 avail,
					struct sf_pkt *p)
{
	__u8 tcp[SF_TCP_FLAGS_AT + 1];

	if (avail >= sizeof(tcp) && !sf_load(skb, l4, tcp, sizeof(tcp))) {
		__u8 flags = tcp[SF_TCP_FLAGS_AT];

		if (!(flags & SF_TCP_SYN) || (flags & SF_TCP_ACK))
			return SF_PKT_OTHER;
	} else if (avail < 4 || sf_load(skb, l4, tcp, 4)) {
		return SF_PKT_OTHER; /* no ports: no receiver takes it for TCP */
	}
	__builtin_memcpy(&p->fk.dport, tcp + 2, 2);
	return SF_PKT_SYN;
}

/* Fragment offset in 8-byte units. Only the first fragment holds the TCP
 * header; one at offset 1 could overwrite its flags on reassembly
 * (RFC 1858), and no real stack sends one. */
static __always_inline int sf_fragment_kind(__u16 offset)
{
	return offset == 1 ? SF_PKT_MALFORMED : SF_PKT_OTHER;
}

static __always_inline int sf_parse_ipv4(struct __sk_buff *skb, struct sf_pkt *p)
{
	struct iphdr ip;
	__u32 hl, total;
	__u16 frag;

	if (sf_load(skb, 0, &ip, sizeof(ip)) || ip.version != 4 || ip.ihl < 5 ||
	    ip.protocol != SF_PROTO_TCP)
		return SF_PKT_OTHER;
	frag = bpf_ntohs(ip.frag_off) & 0x1fff;
	if (frag)
		return sf_fragment_kind(frag);
	hl = ip.ihl * 4;
	total = bpf_ntohs(ip.tot_len);
	if (total < hl)
		return SF_PKT_OTHER;
	p->fk.family = SF_AF_INET;
	__builtin_memcpy(p->fk.daddr, &ip.daddr, 4);
	__builtin_memcpy(p->saddr, &ip.saddr, 4);
	return sf_parse_tcp(skb, hl, total - hl, p);
}

static __always_inline int sf_parse_ipv6(struct __sk_buff *skb, struct sf_pkt *p)
{
	struct ipv6hdr ip6;
	__u32 off = sizeof(ip6), end;
	__u8 next, ext[8];

	if (sf_load(skb, 0, &ip6, sizeof(ip6)) || ip6.version != 6)
		return SF_PKT_OTHER;
	end = sizeof(ip6) + bpf_ntohs(ip6.payload_len);
	next = ip6.nexthdr;
	for (int i = 0; i < SF_MAX_EXT_HEADERS && next != SF_PROTO_TCP; i++) {
		switch (next) {
		case 0:	  /* hop-by-hop */
		case 43:  /* routing */
		case 60:  /* destination options */
		case 135: /* mobility */
		case 139: /* HIP */
		case 140: /* shim6 */
			if (sf_load(skb, off, ext, 2))
				return SF_PKT_OTHER;
			next = ext[0];
			off += (ext[1] + 1) * 8;
			break;
		case 51: /* authentication header: length in 4-byte units */
			if (sf_load(skb, off, ext, 2))
				return SF_PKT_OTHER;
			next = ext[0];
			off += (ext[1] + 2) * 4;
			break;
		case 44: { /* fragment */
			__u16 frag;

			if (sf_load(skb, off, ext, 8))
				return SF_PKT_OTHER;
			next = ext[0];
			__builtin_memcpy(&frag, ext + 2, 2);
			frag = bpf_ntohs(frag) >> 3;
			if (frag)
				return next == SF_PROTO_TCP ? sf_fragment_kind(frag) : SF_PKT_OTHER;
			off += 8;
			break;
		}
		default:
			return SF_PKT_OTHER; /* another transport, ESP, or no next header */
		}
	}
	/* A longer chain could hide TCP from the judge. */
	if (next != SF_PROTO_TCP)
		return SF_PKT_MALFORMED;
	if (off > end)
		return SF_PKT_OTHER;
	p->fk.family = SF_AF_INET6;
	__builtin_memcpy(p->fk.daddr, &ip6.daddr, 16);
	__builtin_memcpy(p->saddr, &ip6.saddr, 16);
	return sf_parse_tcp(skb, off, end - off, p);
}

/* Classifies an outgoing packet; on SF_PKT_SYN, *p holds its addresses. */
static __always_inline int sf_parse_syn(struct __sk_buff *skb, struct sf_pkt *p)
{
	if (skb->protocol == bpf_htons(SF_ETH_P_IP))
		return sf_parse_ipv4(skb, p);
	if (skb->protocol == bpf_htons(SF_ETH_P_IPV6))
		return sf_parse_ipv6(skb, p);
	return SF_PKT_OTHER;
}

/* Counts a dropped malformed packet in the host totals. */
static __always_inline void sf_count_malformed(void)
{
	__u32 zero = 0;
	struct sf_totals *t = bpf_map_lookup_elem(&sf_totals, &zero);

	if (t)
		t->malformed++;
}

#endif /* SF_PACKET_BPF_H */
