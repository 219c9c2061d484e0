/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control half of the kinds that share a channel's two rings with the switch
 * (poll, block): prepare the channel for a new NF, ask it to stop, and take back
 * everything a gone NF held.
 */
#include <rte_mempool.h>

#include "transport.h"

int
ring_attach(struct nf *nf, struct myr_welcome *w, int *fds, unsigned int *n_fds)
{
	struct myr_chan *c = sw.chans[nf->slot];
	char name[RTE_RING_NAMESIZE];

	/* nobody uses the rings of a free slot: re-initialising them empties them */
	snprintf(name, sizeof(name), "nf%d_to_nf", nf->slot);
	rte_ring_init(sw.to_nf[nf->slot], name, sw.conf.ring_size, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "nf%d_from_nf", nf->slot);
	rte_ring_init(sw.from_nf[nf->slot], name, sw.conf.ring_size, RING_F_SP_ENQ | RING_F_SC_DEQ);
	memset(&c->nf, 0, sizeof(c->nf));
	memset(&c->sw.tr, 0, sizeof(c->sw.tr));
	/* plain store: the WELCOME's sendmsg publishes the channel to the NF */
	c->sw.state = MYR_CHAN_RUN;
	w->slot = nf->slot;
	return mem_welcome(w, fds, n_fds);
}

void
ring_stop(struct nf *nf)
{
	/* release: a stopping NF may read nothing published after it */
	__atomic_store_n(&sw.chans[nf->slot]->sw.state, MYR_CHAN_STOP, __ATOMIC_RELEASE);
}

struct reclaim {
	uint32_t owner;
	uint64_t n;
};

static void
reclaim_one(struct rte_mempool *mp, void *arg, void *obj, unsigned int idx)
{
	struct reclaim *r = arg;
	struct rte_mbuf *m = obj;

	(void)mp;
	(void)idx;
	if (*sw_owner(m) != r->owner)
		return;
	/* whatever the NF did to it, make it a plain single mbuf again before freeing */
	*sw_owner(m) = 0;
	rte_pktmbuf_reset(m);
	rte_mbuf_refcnt_set(m, 1);
	rte_pktmbuf_free(m);
	r->n++;
}

static uint64_t
ring_drain(struct rte_ring *r)
{
	void *objs[SW_BURST];
	uint64_t total = 0;
	unsigned int n, i;

	while ((n = rte_ring_sc_dequeue_burst(r, objs, SW_BURST, NULL)) > 0) {
		for (i = 0; i < n; i++) {
			struct rte_mbuf *m = myr_verdict_mbuf(objs[i]);

			*sw_owner(m) = 0;
			rte_pktmbuf_free(m);
		}
		total += n;
	}
	return total;
}

/*
 * The data path has stopped using the slot (the caller published a snapshot without
 * it and waited a grace period) and the process is gone, so this thread may consume
 * both rings. What the NF had dequeued but not returned is found by the owner tag the
 * data path wrote before handing each packet over. (A pool walk of 64 K mbufs costs
 * well under a millisecond and happens only when an NF goes.)
 */
uint64_t
ring_reclaim(struct nf *nf, uint32_t slot)
{
	struct reclaim r = { .owner = slot + 1 };
	uint64_t n;

	(void)nf;
	__atomic_store_n(&sw.chans[slot]->sw.state, MYR_CHAN_FREE, __ATOMIC_RELAXED);
	n = ring_drain(sw.from_nf[slot]);
	n += ring_drain(sw.to_nf[slot]);
	rte_mempool_obj_iter(sw.pool, reclaim_one, &r);
	if (n + r.n > 0)
		LOG(INFO, "slot %u: reclaimed %" PRIu64 " packets (%" PRIu64 " held)", slot,
		    n + r.n, r.n);
	return n + r.n;
}
