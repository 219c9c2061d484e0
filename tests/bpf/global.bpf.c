/* SPDX-License-Identifier: BSD-3-Clause */
/* Hostile: keeps a global variable (memory outside its context): refused. */
#include <myriad/bpf.h>

uint64_t counter;

uint64_t
prog(struct myr_bpf_ctx *c)
{
	counter += c->len;
	return MYR_BPF_FORWARD;
}
