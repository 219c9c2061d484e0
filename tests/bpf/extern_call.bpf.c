/* SPDX-License-Identifier: BSD-3-Clause */
/* Hostile: calls a function outside the program (a helper): refused. */
#include <myriad/bpf.h>

extern uint64_t helper(uint64_t x);

uint64_t
prog(struct myr_bpf_ctx *c)
{
	return helper(c->len);
}
