/* SPDX-License-Identifier: BSD-3-Clause */
/* Transport poll (A), control half: the channel's rings (tr_ring.c), nothing else. */
#include "transport.h"

const struct ctl_transport ctl_tr_poll = {
	.kind = MYR_T_POLL,
	.has_process = true,
	.attach = ring_attach,
	.stop = ring_stop,
	.reclaim = ring_reclaim,
};
