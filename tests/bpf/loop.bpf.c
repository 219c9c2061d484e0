/* SPDX-License-Identifier: BSD-3-Clause */
/* Hostile: loops as long as the frame is (its cost would have no bound): refused. */
#include <myriad/bpf.h>

uint64_t
prog(struct myr_bpf_ctx *c)
{
	uint64_t s = 0;

	for (uint32_t i = 0; i < c->len; i++)
		s += c->data[i & (MYR_BPF_WINDOW - 1)];
	c->state64[0] = s;
	return MYR_BPF_FORWARD;
}
