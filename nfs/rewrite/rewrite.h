/* SPDX-License-Identifier: BSD-3-Clause */
/* rewrite's work on one frame: shared by the process NF (rewrite.c) and the test that
 * holds its eBPF version (rewrite.bpf.c) to the same result. */
#ifndef MYRIAD_NF_REWRITE_H
#define MYRIAD_NF_REWRITE_H

#include <stdint.h>
#include <string.h>

#include <myriad/shm.h>

struct rewrite_conf {
	int set_src, set_dst, dec_ttl;
	uint8_t src[6], dst[6];
};

/* Rewrite a frame of len bytes (at least an Ethernet header) in place; its verdict. */
static inline uint8_t
rewrite_frame(const struct rewrite_conf *rw, uint8_t *f, uint32_t len)
{
	uint32_t sum;

	if (rw->set_src)
		memcpy(f + 6, rw->src, 6);
	if (rw->set_dst)
		memcpy(f, rw->dst, 6);
	/* IPv4 (EtherType 0x0800) with a whole header: its TTL at 22, checksum at 24 */
	if (!rw->dec_ttl || f[12] != 0x08 || f[13] != 0x00 || len < 14 + 20)
		return MYR_V_FORWARD;
	if (f[22] <= 1)
		return MYR_V_DROP;
	f[22]--;
	/* RFC 1624 incremental update: the TTL is the high byte of its word */
	sum = (uint16_t) ~(uint16_t)(f[24] << 8 | f[25]);
	sum += 0xfeff;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	f[24] = (uint8_t)(sum >> 8);
	f[25] = (uint8_t)sum;
	return MYR_V_FORWARD;
}

#endif
