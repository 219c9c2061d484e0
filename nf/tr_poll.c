/* SPDX-License-Identifier: BSD-3-Clause */
/* Transport poll (A): the NF busy-polls its ring. */
#include <sched.h>

#include "nf_private.h"

/*
 * Nothing came: let the others run. With a core of its own this costs a fraction of a
 * microsecond; sharing a core, it lets the other NFs and the control plane run instead
 * of burning the rest of a time slice.
 */
static int
poll_wait(struct myr_nf *nf)
{
	(void)nf;
	sched_yield();
	return 0;
}

const struct nf_transport nf_tr_poll = {
	.kind = MYR_T_POLL,
	.rx_burst = nf_ring_rx_burst,
	.tx_burst = nf_ring_tx_burst,
	.wait = poll_wait,
};
