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
	struct tenant *t = nf->tenant;
	int ret;

	/* its tenant's packet memory, made for the tenant's first process NF */
	if (!sw.conf.shared_memory) {
		if (t == NULL)
			return ctl_err(-EINVAL, "NF %s belongs to no tenant", nf->name);
		if (t->tpool == NULL) {
			t->tpool = tp_create(t->name, sw.conf.tenant_buffers);
			if (t->tpool == NULL)
				return -ENOMEM;
		}
		nf->tpool = t->tpool;
		nf->tpool->refs++;
	}
	/* a new channel object: empty rings, zeroed lines, nothing of the slot's last NF */
	ret = mem_welcome((uint32_t)nf->slot, nf->tpool, w, fds, n_fds);
	if (ret < 0)
		return ret; /* nf_attach drops the pool's reference */
	/* plain store: the WELCOME's sendmsg publishes the channel to the NF */
	sw.chans[nf->slot]->sw.state = MYR_CHAN_RUN;
	return 0;
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
 * millisecond and happens only when an NF goes.) Its channel's object is let go: the
 * next attach makes a new one.
 */
uint64_t
ring_reclaim(struct nf *nf, uint32_t slot)
{
	uint64_t n;

	mem_chan_release(slot);
	if (nf->tpool != NULL) {
		n = tp_reclaim(nf->tpool, slot);
		tp_put(nf->tpool);
		nf->tpool = NULL;
	} else {
		n = bufs_reclaim(slot);
	}
	if (n > 0)
		LOG(INFO, "slot %u: reclaimed %" PRIu64 " packets", slot, n);
	return n;
}
