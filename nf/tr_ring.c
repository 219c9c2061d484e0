/* SPDX-License-Identifier: BSD-3-Clause */
/* The NF side of a channel's two rings (include/myriad/shm.h), shared by the kinds
 * that have them: poll and block. */
#include "nf_private.h"

uint16_t
nf_ring_rx_burst(struct myr_nf *nf, struct rte_mbuf **pkts, uint16_t n)
{
	return rte_ring_sc_dequeue_burst(nf->to_nf, (void **)pkts, n, NULL);
}

uint16_t
nf_ring_tx_burst(struct myr_nf *nf, struct rte_mbuf **pkts, const uint8_t *verdicts, uint16_t n)
{
	void *objs[32];
	uint16_t done = 0;

	if (verdicts == NULL)
		return rte_ring_sp_enqueue_burst(nf->from_nf, (void **)pkts, n, NULL);
	/* the verdict rides in the pointer's low bits: packed a bounded chunk at a time */
	while (done < n) {
		uint16_t k = RTE_MIN((uint16_t)RTE_DIM(objs), (uint16_t)(n - done)), i, sent;

		for (i = 0; i < k; i++)
			objs[i] = myr_verdict_pack(pkts[done + i], verdicts[done + i]);
		sent = rte_ring_sp_enqueue_burst(nf->from_nf, objs, k, NULL);
		done += sent;
		if (sent < k)
			break;
	}
	return done;
}
