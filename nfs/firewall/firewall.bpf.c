/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * firewall, in the switch: drops what firewall.c's rules drop. The rules are the NF's
 * state, set with --bpf-args (hex of these bytes; unused entries zero):
 *   0..7    four EtherTypes to drop, as on the wire (big-endian)
 *   8..31   four source MACs to drop
 *   32..35  drop frames longer than this many bytes (little-endian; 0: no such rule)
 * and the program counts in 40..47 the packets dropped, in 48..55 those passed.
 */
#include <myriad/bpf.h>

static inline int
dropped(const struct myr_bpf_ctx *c)
{
	uint16_t type = c->data16[6];

#pragma unroll
	for (int i = 0; i < 4; i++)
		if (c->state16[i] != 0 && c->state16[i] == type)
			return 1;
#pragma unroll
	for (int i = 0; i < 4; i++) {
		const uint16_t *mac = &c->state16[4 + 3 * i];

		if ((mac[0] | mac[1] | mac[2]) != 0 && mac[0] == c->data16[3] &&
		    mac[1] == c->data16[4] && mac[2] == c->data16[5])
			return 1;
	}
	return c->state32[8] != 0 && c->len > c->state32[8];
}

uint64_t
firewall(struct myr_bpf_ctx *c)
{
	if (dropped(c)) {
		c->state64[5]++;
		return MYR_BPF_DROP;
	}
	c->state64[6]++;
	return MYR_BPF_FORWARD;
}
