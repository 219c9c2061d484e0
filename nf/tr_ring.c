/* SPDX-License-Identifier: BSD-3-Clause */
/* The NF side of a channel's two rings (include/myriad/shm.h), shared by the kinds
 * that have them: poll and block. */
#include "nf_private.h"

uint16_t
nf_ring_rx_burst(struct myr_nf *nf, struct rte_mbuf **pkts, uint16_t n)
{
	struct myr_ring *r = nf->to_nf;
	uint32_t cons = nf->to_cons, avail, i;

	avail = __atomic_load_n(&r->prod, __ATOMIC_ACQUIRE) - cons;
	if (n > avail)
		n = (uint16_t)avail;
	for (i = 0; i < n; i++)
		pkts[i] = (struct rte_mbuf *)(uintptr_t)r->e[(cons + i) & (nf->ring_size - 1)];
	nf->to_cons = cons + n;
	__atomic_store_n(&r->cons, cons + n, __ATOMIC_RELEASE);
	return n;
}

uint16_t
nf_ring_tx_burst(struct myr_nf *nf, struct rte_mbuf **pkts, const uint8_t *verdicts, uint16_t n)
{
	struct myr_ring *r = nf->from_nf;
	uint32_t prod = nf->from_prod, room, i;

	room = nf->ring_size - (prod - __atomic_load_n(&r->cons, __ATOMIC_ACQUIRE));
	if (n > room)
		n = (uint16_t)room;
	/* the verdict rides in the pointer's low bits */
	for (i = 0; i < n; i++)
		r->e[(prod + i) & (nf->ring_size - 1)] = (uintptr_t)myr_verdict_pack(
			pkts[i], verdicts != NULL ? verdicts[i] : MYR_V_FORWARD);
	nf->from_prod = prod + n;
	__atomic_store_n(&r->prod, prod + n, __ATOMIC_RELEASE);
	return n;
}
