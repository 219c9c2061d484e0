/* SPDX-License-Identifier: BSD-3-Clause */
/* Transport poll (A), data path: the NF busy-polls its ring; nothing to do but the
 * rings (tr_ring.c). */
#include <stdlib.h>

#include "transport.h"

static int
poll_worker_init(struct dp_worker *w)
{
	struct dp_ring_active *a = calloc(1, sizeof(*a));

	if (a == NULL || dp_ring_active_init(a, false) < 0) {
		free(a);
		return -ENOMEM;
	}
	w->tr[MYR_T_POLL] = a;
	return 0;
}

static void
poll_worker_fini(struct dp_worker *w)
{
	struct dp_ring_active *a = w->tr[MYR_T_POLL];

	if (a != NULL)
		dp_ring_active_fini(a);
	free(a);
}

static uint16_t
poll_deliver(struct dp_worker *w, const struct fwd_slot *fs, uint32_t slot, struct rte_mbuf **pkts,
	     uint16_t n)
{
	return dp_ring_deliver(w, w->tr[MYR_T_POLL], fs, slot, pkts, n);
}

static uint32_t
poll_poll(struct dp_worker *w)
{
	return dp_ring_poll(w, w->tr[MYR_T_POLL], NULL); /* a polling NF never sleeps */
}

const struct dp_transport dp_tr_poll = {
	.kind = MYR_T_POLL,
	.worker_init = poll_worker_init,
	.worker_fini = poll_worker_fini,
	.deliver = poll_deliver,
	.poll = poll_poll,
};
