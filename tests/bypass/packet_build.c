// SPDX-License-Identifier: GPL-2.0-only
#include "packet_build.h"

#include <arpa/inet.h>
#include <string.h>

static uint16_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* The transport checksum over the pseudo-header (a raw socket's receiver
 * checks it; bpf_prog_test_run does not care). */
static void l4_checksum(const struct sft_pkt *p, const uint8_t *src, const uint8_t *dst,
			uint8_t *l4, size_t l4_len)
{
	size_t alen = p->family == 4 ? 4 : 16, at = p->proto == 6 ? 16 : 6;
	uint8_t pseudo[40] = {};
	uint32_t sum;

	memcpy(pseudo, src, alen);
	memcpy(pseudo + alen, dst, alen);
	pseudo[2 * alen + 1] = p->proto;
	pseudo[2 * alen + 2] = (uint8_t)(l4_len >> 8);
	pseudo[2 * alen + 3] = (uint8_t)l4_len;
	if (l4_len < at + 2)
		return;
	l4[at] = l4[at + 1] = 0;
	sum = csum_add(0, pseudo, 2 * alen + 4);
	sum = ~csum_add(sum, l4, l4_len) & 0xffff;
	l4[at] = (uint8_t)(sum >> 8);
	l4[at + 1] = (uint8_t)sum;
}

static size_t build_l4(const struct sft_pkt *p, uint8_t *l4)
{
	size_t plen = p->payload ? strlen(p->payload) : 0;
	size_t n = p->l4_len ? (size_t)p->l4_len : (p->proto == 6 ? 20 : 8) + plen;
	uint8_t full[128] = {};

	uint16_t sport = p->sport ? p->sport : 40000;

	full[0] = (uint8_t)(sport >> 8);
	full[1] = (uint8_t)sport;
	full[2] = (uint8_t)(p->dport >> 8);
	full[3] = (uint8_t)p->dport;
	if (p->proto == 6) {
		full[4] = 0x12;	   /* sequence number */
		full[12] = 5 << 4; /* data offset: 20 bytes */
		full[13] = p->flags;
		full[14] = 0xff; /* window */
		memcpy(full + 20, p->payload ? p->payload : "", plen);
	} else {
		full[4] = (uint8_t)((8 + plen) >> 8);
		full[5] = (uint8_t)(8 + plen);
		memcpy(full + 8, p->payload ? p->payload : "", plen);
	}
	memcpy(l4, full, n < sizeof(full) ? n : sizeof(full));
	return n;
}

static size_t build_v4(const struct sft_pkt *p, uint8_t *ip)
{
	size_t hl = 20 + (size_t)p->ip_opts, l4_len;
	uint16_t frag = !p->fragment ? 0x4000 /* DF */ : (uint16_t)p->frag;

	memset(ip, 0, hl);
	ip[0] = (uint8_t)(0x40 | hl / 4);
	ip[8] = 64;
	ip[9] = p->proto;
	if (p->more)
		frag |= 0x2000;
	ip[6] = (uint8_t)(frag >> 8);
	ip[7] = (uint8_t)frag;
	inet_pton(AF_INET, p->src, ip + 12);
	inet_pton(AF_INET, p->dst, ip + 16);
	for (int i = 0; i < p->ip_opts; i++)
		ip[20 + i] = 1; /* NOP options */
	l4_len = build_l4(p, ip + hl);
	ip[2] = (uint8_t)((hl + l4_len) >> 8);
	ip[3] = (uint8_t)(hl + l4_len);
	if (p->frag == 0)
		l4_checksum(p, ip + 12, ip + 16, ip + hl, l4_len);
	uint16_t sum = ~csum_add(0, ip, hl) & 0xffff;

	ip[10] = (uint8_t)(sum >> 8);
	ip[11] = (uint8_t)sum;
	return hl + l4_len;
}

/* Appends extension headers at off, chaining them from *nh; returns the
 * offset after them and leaves *nh at the last one's next-header byte. */
static size_t add_ext(uint8_t *ip, size_t off, uint8_t **nh, const uint8_t *ext, int n_ext)
{
	for (int i = 0; i < n_ext; i++) {
		size_t n = ext[i] == 51 ? 16 : 8; /* AH: length field 2 */

		**nh = ext[i];
		memset(ip + off, 0, n);
		ip[off + 1] = ext[i] == 51 ? 2 : 0;
		if (ext[i] == 0 || ext[i] == 60)
			ip[off + 2] = 1, ip[off + 3] = 4; /* PadN over the rest */
		*nh = ip + off;
		off += n;
	}
	return off;
}

static size_t build_v6(const struct sft_pkt *p, uint8_t *ip)
{
	uint8_t *nh = ip + 6;
	size_t off = 40, l4_len;

	memset(ip, 0, 40);
	ip[0] = 0x60;
	ip[7] = 64;
	inet_pton(AF_INET6, p->src, ip + 8);
	inet_pton(AF_INET6, p->dst, ip + 24);
	uint8_t *frag_nh = NULL;

	off = add_ext(ip, off, &nh, p->ext, p->n_ext);
	if (p->fragment) {
		uint16_t fo = (uint16_t)(p->frag << 3 | (p->more ? 1 : 0));

		*nh = 44;
		memset(ip + off, 0, 8);
		ip[off + 2] = (uint8_t)(fo >> 8);
		ip[off + 3] = (uint8_t)fo;
		ip[off + 7] = 1; /* identification */
		nh = frag_nh = ip + off;
		off += 8;
		off = add_ext(ip, off, &nh, p->frag_ext, p->n_frag_ext);
	}
	*nh = p->proto;
	if (frag_nh && p->frag_next)
		*frag_nh = p->frag_next;
	l4_len = p->no_l4 ? 0 : build_l4(p, ip + off);
	/* A later fragment holding a whole TCP header gets the checksum of
	 * the segment it completes on reassembly. */
	if (l4_len)
		l4_checksum(p, ip + 8, ip + 24, ip + off, l4_len);
	ip[4] = (uint8_t)((off - 40 + l4_len) >> 8);
	ip[5] = (uint8_t)(off - 40 + l4_len);
	return off + l4_len;
}

size_t sft_pkt_build(const struct sft_pkt *in, uint8_t *buf, size_t len)
{
	struct sft_pkt tcp_default = *in, *p = &tcp_default;
	size_t n;

	if (!p->proto)
		p->proto = 6;
	if (len < 512)
		return 0;
	memset(buf, 0, SFT_ETH_HLEN);
	buf[0] = 0x02; /* locally administered destination MAC */
	buf[6] = 0x02;
	buf[12] = p->family == 4 ? 0x08 : 0x86;
	buf[13] = p->family == 4 ? 0x00 : 0xdd;
	n = p->family == 4 ? build_v4(p, buf + SFT_ETH_HLEN) : build_v6(p, buf + SFT_ETH_HLEN);
	n += SFT_ETH_HLEN;
	return n > (size_t)p->cut ? n - (size_t)p->cut : 0;
}
