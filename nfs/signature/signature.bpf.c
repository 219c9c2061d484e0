/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * signature, in the switch: the same signature as signature.c over the first 64 bytes
 * (the window holds zeros past the frame's end, as signature.c pads), read-only.
 * State: state32[0] the folded signatures, state64[1] the packets seen.
 */
#include <myriad/bpf.h>

uint64_t
signature(struct myr_bpf_ctx *c)
{
	uint64_t h = 0xcbf29ce484222325ULL;

#pragma unroll
	for (int i = 0; i < 8; i++)
		h = (h ^ c->data64[i]) * 0x100000001b3ULL;
	c->state32[0] ^= (uint32_t)(h ^ (h >> 32));
	c->state64[1]++;
	return MYR_BPF_FORWARD;
}
