/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control half of the kinds that share a channel's two rings with the switch
 * (poll, block): prepare the channel for a new NF, ask it to stop, and take back
 * everything a gone NF held.
 */
#include <rte_mempool.h>

#include "../bufs.h"
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

/*
 * The data path has stopped using the slot (the caller published a snapshot without
 * it and waited a grace period) and the process is gone. Everything the switch handed
 * the NF and did not take back is in the owner table (bufs.h), whether it sits in a
 * ring or the NF had dequeued it: the rings' contents are the NF's to write and are not
 * read at all. (The table of 64 K mbufs is 256 KB: a walk costs well under a
 * millisecond and happens only when an NF goes.) The next attach re-initialises the
 * rings.
 */
uint64_t
ring_reclaim(struct nf *nf, uint32_t slot)
{
	uint64_t n;

	(void)nf;
	__atomic_store_n(&sw.chans[slot]->sw.state, MYR_CHAN_FREE, __ATOMIC_RELAXED);
	n = bufs_reclaim(slot);
	if (n > 0)
		LOG(INFO, "slot %u: reclaimed %" PRIu64 " packets", slot, n);
	return n;
}
