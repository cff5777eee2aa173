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
#define SF_PROTO_UDP	17
#define SF_PROTO_ICMPV6 58
#define SF_TCP_SYN	0x02
#define SF_TCP_ACK	0x10
#define SF_TCP_FLAGS_AT 13
#define SF_TCP_HLEN	20
#define SF_IP_MF	0x2000
#define SF_IP_OFFSET	0x1fff
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
	__u32 slot;   /* of the generation the packet is judged in (sf_slot) */
	__be16 sport; /* the TCP source port */
};

static __always_inline int sf_load(struct __sk_buff *skb, __u32 off, void *to, __u32 len)
{
	return bpf_skb_load_bytes_relative(skb, off, to, len, BPF_HDR_START_NET);
}

/* The TCP header at `l4`, of which the IP header says `avail` bytes are in
 * this packet. A packet that holds the ports but not the flags (a cut-off
 * header) is judged as a SYN: the judge cannot tell, so it assumes the
 * worst. A first fragment must hold the whole TCP header (RFC 7112): a
 * later fragment would complete it unseen, so one that does not is
 * malformed. */
static __always_inline int sf_parse_tcp(struct __sk_buff *skb, __u32 l4, __u32 avail,
					struct sf_pkt *p, int first_fragment)
{
	__u8 tcp[SF_TCP_FLAGS_AT + 1];

	if (first_fragment && avail < SF_TCP_HLEN)
		return SF_PKT_MALFORMED;
	if (avail >= sizeof(tcp) && !sf_load(skb, l4, tcp, sizeof(tcp))) {
		__u8 flags = tcp[SF_TCP_FLAGS_AT];

		if (!(flags & SF_TCP_SYN) || (flags & SF_TCP_ACK))
			return SF_PKT_OTHER;
	} else if (first_fragment) {
		return SF_PKT_MALFORMED;
	} else if (avail < 4 || sf_load(skb, l4, tcp, 4)) {
		return SF_PKT_OTHER; /* no ports: no receiver takes it for TCP */
	}
	__builtin_memcpy(&p->sport, tcp, 2);
	__builtin_memcpy(&p->fk.dport, tcp + 2, 2);
	return SF_PKT_SYN;
}

/* An IPv4 fragment that is not the first, of a TCP datagram: its bytes
 * join a TCP header the judge saw in another packet, or never saw.
 * `local`: sent from this host, where the kernel's own sockets are
 * fragmented only after the cgroup hook, so a fragment here was made by
 * hand on a raw socket: dropped. Forwarded: one at offset 1 (8 bytes)
 * could overwrite the flags of the first on reassembly (RFC 1858), and no
 * real stack sends one; later ones cannot reach ports or flags. */
static __always_inline int sf_later_fragment_kind(__u16 offset, int local)
{
	return local || offset == 1 ? SF_PKT_MALFORMED : SF_PKT_OTHER;
}

/* IPv4 reassembly keys on the protocol, so only fragments that say TCP
 * can become TCP. `local`: see sf_later_fragment_kind. */
static __always_inline int sf_parse_ipv4(struct __sk_buff *skb, struct sf_pkt *p, int local)
{
	struct iphdr ip;
	__u32 hl, total;
	__u16 frag;

	if (sf_load(skb, 0, &ip, sizeof(ip)) || ip.version != 4 || ip.ihl < 5 ||
	    ip.protocol != SF_PROTO_TCP)
		return SF_PKT_OTHER;
	frag = bpf_ntohs(ip.frag_off);
	if (frag & SF_IP_OFFSET)
		return sf_later_fragment_kind(frag & SF_IP_OFFSET, local);
	if ((frag & SF_IP_MF) && local)
		return SF_PKT_MALFORMED;
	hl = ip.ihl * 4;
	total = bpf_ntohs(ip.tot_len);
	if (total < hl)
		return SF_PKT_OTHER;
	p->fk.family = SF_AF_INET;
	__builtin_memcpy(p->fk.daddr, &ip.daddr, 4);
	__builtin_memcpy(p->saddr, &ip.saddr, 4);
	return sf_parse_tcp(skb, hl, total - hl, p, frag & SF_IP_MF);
}

/* True for the IPv6 extension headers the chain walk steps over. */
static __always_inline int sf_ipv6_ext(__u8 next)
{
	return next == 0 || next == 43 || next == 44 || next == 51 || next == 60 || next == 135 ||
	       next == 139 || next == 140;
}

/* IPv6 reassembly does not key on the next header, and a later fragment
 * does not say at which header of the chain it goes on: one that may
 * continue a chain or TCP is malformed (locally made, any later fragment
 * is). A first fragment must hold the whole chain up to and with the TCP
 * header (RFC 7112); one that does not is malformed. */
static __always_inline int sf_parse_ipv6(struct __sk_buff *skb, struct sf_pkt *p, int local)
{
	struct ipv6hdr ip6;
	__u32 off = sizeof(ip6), end;
	__u8 next, ext[8];
	int fragment = 0;

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
			if (off + 2 > end || sf_load(skb, off, ext, 2))
				return fragment ? SF_PKT_MALFORMED : SF_PKT_OTHER;
			next = ext[0];
			off += (ext[1] + 1) * 8;
			break;
		case 51: /* authentication header: length in 4-byte units */
			if (off + 2 > end || sf_load(skb, off, ext, 2))
				return fragment ? SF_PKT_MALFORMED : SF_PKT_OTHER;
			next = ext[0];
			off += (ext[1] + 2) * 4;
			break;
		case 44: { /* fragment */
			__u16 frag;

			if (off + 8 > end || sf_load(skb, off, ext, 8))
				return fragment ? SF_PKT_MALFORMED : SF_PKT_OTHER;
			next = ext[0];
			__builtin_memcpy(&frag, ext + 2, 2);
			frag = bpf_ntohs(frag) >> 3;
			/* A later fragment: what it continues is in another
			 * packet, at an offset it cannot tell. */
			if (frag)
				return local || next == SF_PROTO_TCP || sf_ipv6_ext(next)
					       ? SF_PKT_MALFORMED
					       : SF_PKT_OTHER;
			fragment = 1;
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
		return fragment ? SF_PKT_MALFORMED : SF_PKT_OTHER;
	/* The kernel's sockets are fragmented after the cgroup hook. */
	if (fragment && local)
		return SF_PKT_MALFORMED;
	p->fk.family = SF_AF_INET6;
	__builtin_memcpy(p->fk.daddr, &ip6.daddr, 16);
	__builtin_memcpy(p->saddr, &ip6.saddr, 16);
	return sf_parse_tcp(skb, off, end - off, p, fragment);
}

/* Classifies an outgoing packet; on SF_PKT_SYN, *p holds its addresses. */
/* `local`: sent from this host (the cgroup_skb backstop), not forwarded. */
static __always_inline int sf_parse_syn(struct __sk_buff *skb, struct sf_pkt *p, int local)
{
	if (skb->protocol == bpf_htons(SF_ETH_P_IP))
		return sf_parse_ipv4(skb, p, local);
	if (skb->protocol == bpf_htons(SF_ETH_P_IPV6))
		return sf_parse_ipv6(skb, p, local);
	return SF_PKT_OTHER;
}

/* Counts a dropped malformed packet (one that cannot be judged) in the
 * host totals. */
static __always_inline void sf_count_malformed(void)
{
	__u32 zero = 0;
	struct sf_totals *t = bpf_map_lookup_elem(&sf_totals, &zero);

	if (t)
		t->malformed++;
}

#endif /* SF_PACKET_BPF_H */
