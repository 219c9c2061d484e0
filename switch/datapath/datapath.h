/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The data path's insides, shared by the loop (datapath.c) and the transports
 * (tr_<kind>.c): a worker's state and the steps every kind of NF uses to hand
 * packets on. Nothing here allocates, logs or blocks.
 *
 * A worker owns everything it writes: its counters, its view of each slot, and each
 * transport's state (w->tr[kind]). A later change can run several workers, each
 * owning a shard of the slots, without touching the transports: nothing of theirs is
 * global.
 */
#ifndef MYRIAD_DATAPATH_H
#define MYRIAD_DATAPATH_H

#include <rte_branch_prediction.h>
#include <rte_ether.h>

#include "../switch.h"
#include "../tpool.h"

/*
 * Packets are gathered per destination during a round and handed over in bursts at
 * its end: one ring enqueue (or one run of an in-switch program) per NF per round
 * instead of one per packet. With consecutive packets going to different NFs (the
 * paper's worst case) the bursts are short, but the ring's atomics are still paid once
 * per destination.
 */
struct dp_pend {
	uint32_t slot; /* destination (slot pends; unused for ports) */
	uint16_t n;
	struct rte_mbuf *m[SW_BURST];
};

/*
 * The slots' pending bursts live in one small queue, not one per slot: a round has only
 * so many destinations, and with thousands of NFs a burst buffer per slot (264 bytes)
 * was most of what each packet's hops pulled into the cache. Entries are taken in
 * order and all freed at the end of the round, so the queue's head stays in L1.
 */
#define DP_PENDS 256 /* a power of two */

/* Buffers of the ports' pool a worker keeps (struct dp_worker), and takes at a time
 * when it has none. */
#define DP_WIRE_STASH  64
#define DP_WIRE_REFILL 32

/* What every kind needs of a worker's view of a slot; kinds keep the rest. */
struct dp_slot {
	uint32_t gen;  /* attachment this state belongs to (struct fwd_slot) */
	uint32_t pend; /* its burst of this round: queue position + 1; 0: none */
	uint64_t held; /* packets handed to the NF and not returned yet */
	/* the switch's own indexes of the slot's rings (the NF's are checked against
	 * them, never trusted): to_nf's producer, from_nf's consumer */
	uint32_t to_prod, from_cons;
};

struct dp_worker {
	unsigned int id;
	const struct fwd *f; /* the snapshot this round reads */
	uint64_t now;        /* TSC at the start of the round */
	/*
	 * Most packets one NF may hold (queued to it or in its hands): 3/4 of the pool
	 * shared among the NFs holding packets. Rings are sized per NF, but thousands
	 * of NF rings hold far more than the pool; without a share, slow NFs would take
	 * every buffer and the ports could not receive for anyone, idle tenants
	 * included. The quarter left over is the ports' to receive into.
	 */
	uint64_t held_cap;
	uint32_t n_holding;    /* slots with held > 0 */
	struct dp_slot *slots; /* [max_nfs] */
	/* the slots' pending bursts: [pend_head, pend_tail) of a queue of DP_PENDS */
	uint32_t pend_head, pend_tail;
	bool flushing;       /* flush_all() walks the queue: it cannot be emptied now */
	uint32_t port_dirty; /* bitmap of ports with pending packets */
	struct dp_pend port_pend[SW_MAX_PORTS];
	struct dp_pend pend[DP_PENDS];
	/* mbufs to free at the end of the round, in one bulk: the drops, and the
	 * originals of copies (tpool.h) */
	uint16_t n_free;
	struct rte_mbuf *frees[SW_BURST];
	/*
	 * Buffers of the ports' pool kept for the copies out (dp_port_flush): the
	 * originals of copies in come here instead of going back to the pool, and the
	 * copies out are written into them, so with as many out as in the pool is not
	 * touched. Its ring is shared with the traffic source, a process of its own, and
	 * has no per-lcore cache (switch/main.c): taking one buffer a packet out of it was
	 * a contended compare-and-swap each, ~10 % of the data path's core at 2000 NFs
	 * (bench/results/profile-2000nfs-20261203b.txt). A stack: the buffer just copied
	 * from, still in this core's cache, is the next one written. n_wire is read
	 * (relaxed) by the commands that count the pool's free buffers (dp_pool_avail).
	 * Not a user-owned rte_mempool_cache: that lives on the EAL heap, in the
	 * hugepages that NFs of --nf-memory shared map, and the worker keeps its own
	 * state in private memory (dp_worker_create).
	 */
	uint32_t n_wire;
	struct rte_mbuf *wire[DP_WIRE_STASH];
	void *tr[MYR_T_MAX]; /* each transport's own state (struct dp_transport) */
	bool running;        /* in its loop; atomic */
	uint64_t sync_seen __rte_cache_aligned; /* see struct sw */
	struct dp_stats stats;
};

static inline void
dp_release(struct dp_worker *w, struct rte_mbuf *m)
{
	w->frees[w->n_free++] = m;
	if (unlikely(w->n_free == SW_BURST)) {
		rte_pktmbuf_free_bulk(w->frees, w->n_free);
		w->n_free = 0;
	}
}

/* The original of a copy into a tenant's pool: kept for a copy out while there is room
 * (struct dp_worker), else freed with the rest */
static inline void
dp_release_wire(struct dp_worker *w, struct rte_mbuf *m)
{
	if (likely(m->pool == sw.pool && m->nb_segs == 1 && w->n_wire < DP_WIRE_STASH)) {
		/* NULL: another reference holds it, which is then the last to free it */
		m = rte_pktmbuf_prefree_seg(m);
		if (m != NULL) {
			w->wire[w->n_wire] = m;
			__atomic_store_n(&w->n_wire, w->n_wire + 1, __ATOMIC_RELAXED);
		}
		return;
	}
	dp_release(w, m);
}

static inline void
dp_drop(struct dp_worker *w, struct rte_mbuf *m, enum sw_drop why)
{
	w->stats.drop[why]++;
	dp_release(w, m);
}

void dp_port_flush(struct dp_worker *w, uint16_t p);
void dp_slot_send(struct dp_worker *w, uint32_t slot, struct rte_mbuf **pkts, uint16_t n);
void dp_pend_full(struct dp_worker *w, uint32_t slot, struct rte_mbuf *m);
void dp_pend_burst(struct dp_worker *w, struct dp_pend *q);

static inline void
dp_port_push(struct dp_worker *w, uint16_t p, struct rte_mbuf *m)
{
	struct dp_pend *q = &w->port_pend[p];

	q->m[q->n++] = m;
	w->port_dirty |= 1u << p;
	if (unlikely(q->n == SW_BURST))
		dp_port_flush(w, p);
}

static inline void
dp_slot_push(struct dp_worker *w, uint32_t slot, struct rte_mbuf *m)
{
	struct dp_slot *ds = &w->slots[slot];
	struct dp_pend *q;

	if (ds->pend != 0) {
		q = &w->pend[ds->pend - 1];
	} else if (likely(w->pend_tail - w->pend_head < DP_PENDS)) {
		ds->pend = (w->pend_tail++ & (DP_PENDS - 1)) + 1;
		q = &w->pend[ds->pend - 1];
		q->slot = slot;
		q->n = 0;
	} else {
		dp_pend_full(w, slot, m);
		return;
	}
	q->m[q->n++] = m;
	/* a full burst goes now; its entry stays for what follows in the round */
	if (unlikely(q->n == SW_BURST))
		dp_pend_burst(w, q);
}

/* Send a packet to a hop: the next NF of its chain, or the tenant's port. */
static inline void
dp_hop_send(struct dp_worker *w, const struct fwd_hop *h, struct rte_mbuf *m)
{
	if (unlikely(h->down))
		dp_drop(w, m, SW_DROP_NF_DOWN);
	else if (h->next == SW_HOP_NONE)
		dp_port_push(w, h->port, m);
	else
		dp_slot_push(w, h->next, m);
}

/* The worker's view of a slot, reset if a new NF attached to it since it last looked
 * (what the old NF held was taken back by the control thread). */
static inline struct dp_slot *
dp_slot_state(struct dp_worker *w, const struct fwd_slot *fs, uint32_t slot)
{
	struct dp_slot *ds = &w->slots[slot];

	if (unlikely(ds->gen != fs->gen)) {
		ds->gen = fs->gen;
		if (ds->held != 0)
			w->n_holding--;
		ds->held = 0;
		ds->to_prod = ds->from_cons = 0; /* a new channel's rings are empty */
	}
	return ds;
}

/* n packets of a slot came back from its NF; their verdicts follow. */
static inline void
dp_nf_returned(struct dp_worker *w, struct dp_slot *ds, uint32_t slot, uint16_t n)
{
	sw.slot_stats[slot].from_nf += n;
	ds->held -= n;
	if (ds->held == 0)
		w->n_holding--;
}

/* Apply the verdict an NF gave one of the packets it returned. */
static inline void
dp_nf_verdict(struct dp_worker *w, const struct fwd_slot *fs, uint32_t slot, struct rte_mbuf *m,
	      unsigned int verdict)
{
	switch (verdict) {
	case MYR_V_FORWARD:
		dp_hop_send(w, &fs->hop, m);
		break;
	case MYR_V_TO_PORT:
		dp_port_push(w, fs->hop.port, m);
		break;
	case MYR_V_DROP:
		sw.slot_stats[slot].verdict_drop++;
		dp_drop(w, m, SW_DROP_NF_VERDICT);
		break;
	default:
		sw.slot_stats[slot].bad_verdict++;
		dp_drop(w, m, SW_DROP_NF_BAD_VERDICT);
		break;
	}
}

/* The packets of this round to the tenant's first hop, looked up by MAC. */
static inline const struct fwd_mac *
dp_mac_lookup(const struct fwd *f, const struct rte_ether_addr *a)
{
	uint64_t key = fwd_mac_key(a->addr_bytes);
	uint32_t i = fwd_mac_slot(key, f->mac_shift);

	for (;;) {
		const struct fwd_mac *e = &f->macs[i];

		if (e->key == key)
			return e;
		if (e->key == FWD_MAC_EMPTY)
			return NULL;
		i = (i + 1) & f->mac_mask;
	}
}

/* One data-path round: ports, NF returns, hand-over (the worker's loop runs these). */
uint32_t dp_round(struct dp_worker *w);

#endif /* MYRIAD_DATAPATH_H */
