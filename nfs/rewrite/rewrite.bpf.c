/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rewrite, in the switch: what rewrite.c does, set by --bpf-args (hex of these bytes):
 *   0       flags: 1 set the source MAC, 2 set the destination MAC, 4 decrement the
 *           IPv4 TTL (dropping packets whose TTL runs out)
 *   2..7    the source MAC
 *   8..13   the destination MAC
 */
#include <myriad/bpf.h>

uint64_t
rewrite(struct myr_bpf_ctx *c)
{
	uint8_t flags = c->state[0];

	if (flags & 1) {
		c->data16[3] = c->state16[1];
		c->data16[4] = c->state16[2];
		c->data16[5] = c->state16[3];
	}
	if (flags & 2) {
		c->data16[0] = c->state16[4];
		c->data16[1] = c->state16[5];
		c->data16[2] = c->state16[6];
	}
	/* EtherType 0x0800 at 12, and a whole IPv4 header after it */
	if ((flags & 4) && c->data[12] == 0x08 && c->data[13] == 0x00 && c->len >= 14 + 20) {
		uint32_t sum;

		if (c->data[22] <= 1)
			return MYR_BPF_DROP;
		c->data[22]--;
		/* RFC 1624 incremental update: the TTL is the high byte of its word */
		sum = (uint16_t) ~(uint16_t)(c->data[24] << 8 | c->data[25]);
		sum += 0xfeff;
		sum = (sum & 0xffff) + (sum >> 16);
		sum = ~sum & 0xffff;
		c->data[24] = (uint8_t)(sum >> 8);
		c->data[25] = (uint8_t)sum;
	}
	return MYR_BPF_FORWARD;
}
