/* SPDX-License-Identifier: BSD-3-Clause */
/* Hostile: reads past its context, where the switch's memory would be: refused. */
#include <myriad/bpf.h>

uint64_t
prog(struct myr_bpf_ctx *c)
{
	return ((volatile const uint8_t *)c)[300];
}
