/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The NF side of a channel's two rings (include/myriad/shm.h), shared by the kinds
 * that have them: poll and block. The entries are descriptors of the tenant's buffers
 * (our own headers over them, nf.c) or, in the switch's shared-memory mode, mbuf
 * pointers with the verdict in their low bits.
 */
#include "nf_private.h"

uint16_t
nf_ring_rx_burst(struct myr_nf *nf, struct rte_mbuf **pkts, uint16_t n)
{
	struct myr_ring *r = nf->to_nf;
	uint32_t cons = nf->to_cons, avail, i, k = 0;

	avail = __atomic_load_n(&r->prod, __ATOMIC_ACQUIRE) - cons;
	if (n > avail)
		n = (uint16_t)avail;
	for (i = 0; i < n; i++) {
		uint64_t e = r->e[(cons + i) & (nf->ring_size - 1)];
		struct rte_mbuf *m;

		if (nf->bufs == NULL) {
			pkts[k++] = (struct rte_mbuf *)(uintptr_t)e;
			continue;
		}
		if (myr_desc_idx(e) >= nf->n_bufs)
			continue; /* not from this switch: nothing to give the NF */
		m = &nf->bufs[myr_desc_idx(e)];
		m->data_off = myr_desc_off(e);
		m->data_len = myr_desc_len(e);
		m->pkt_len = m->data_len;
		pkts[k++] = m;
	}
	nf->to_cons = cons + n;
	__atomic_store_n(&r->cons, cons + n, __ATOMIC_RELEASE);
	return (uint16_t)k;
}

/* The entry for packet m with its verdict: what is not one of our headers becomes an
 * index no buffer has, which the switch counts (nf_bad_buffer) rather than misreads. */
static inline uint64_t
entry(const struct myr_nf *nf, const struct rte_mbuf *m, uint8_t verdict)
{
	uintptr_t i;

	if (nf->bufs == NULL)
		return (uintptr_t)myr_verdict_pack(m, verdict);
	i = (uintptr_t)(m - nf->bufs);
	if (i >= nf->n_bufs)
		return myr_desc(0xffffffu, verdict, 0, 0);
	return myr_desc((uint32_t)i, verdict, m->data_off, m->data_len);
}

uint16_t
nf_ring_tx_burst(struct myr_nf *nf, struct rte_mbuf **pkts, const uint8_t *verdicts, uint16_t n)
{
	struct myr_ring *r = nf->from_nf;
	uint32_t prod = nf->from_prod, room, i;

	room = nf->ring_size - (prod - __atomic_load_n(&r->cons, __ATOMIC_ACQUIRE));
	if (n > room)
		n = (uint16_t)room;
	for (i = 0; i < n; i++)
		r->e[(prod + i) & (nf->ring_size - 1)] =
			entry(nf, pkts[i], verdicts != NULL ? verdicts[i] : MYR_V_FORWARD);
	nf->from_prod = prod + n;
	__atomic_store_n(&r->prod, prod + n, __ATOMIC_RELEASE);
	return n;
}
