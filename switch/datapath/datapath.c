/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The data path: one lcore polls the ports and the NFs' return rings, classifies
 * by destination MAC, and moves each packet to its next hop. It never allocates,
 * never logs and never blocks; every packet it lets go is counted.
 */
#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>
#include <rte_ring.h>

#include "../switch.h"

/*
 * Packets are gathered per destination during a round and handed over in bursts at
 * its end: one ring enqueue per NF per round instead of one per packet. With
 * consecutive packets going to different NFs (the paper's worst case) the bursts
 * are short, but the ring's atomics are still paid once per destination.
 */
struct pend {
	uint16_t n;
	struct rte_mbuf *m[SW_BURST];
};

/* The data path's own view of one NF slot; never shared. */
struct dp_slot {
	uint32_t gen;        /* attachment this state belongs to (struct fwd_slot) */
	uint32_t active;     /* position in dp.active + 1; 0: not listed */
	uint64_t held;       /* packets enqueued to the NF and not returned yet */
	uint64_t wait_since; /* B: TSC of the oldest packet a sleeping NF was not woken for */
	uint32_t woke;       /* B: the NF's sleep_seq we last woke; never wake it twice */
	uint32_t aging;      /* B: listed in dp.aging */
};

struct dp {
	struct rte_ring **to_nf;   /* [max_nfs] */
	struct rte_ring **from_nf; /* [max_nfs] */
	struct myr_chan **chans;   /* [max_nfs] */
	struct dp_slot *slots;     /* [max_nfs] */
	/*
	 * NFs that hold packets: the only ones worth polling, since an NF never creates
	 * a packet. Work per round grows with active NFs, not attached ones.
	 */
	uint32_t *active;
	uint32_t n_active;
	/*
	 * B: sleeping NFs with packets they were not woken for, oldest first (a FIFO of
	 * max_nfs entries; a slot is in it at most once). Only the expired head is
	 * looked at each round, so the cost follows wake-ups, not waiting NFs.
	 */
	uint32_t *aging;
	uint32_t aging_head, n_aging;
	uint64_t budget_cycles; /* B: TSC cycles per wake-up at the wake budget */
	/*
	 * Most packets one NF may hold (queued to it or in its hands): 3/4 of the pool
	 * shared among the NFs holding packets. Rings are sized per NF, but thousands
	 * of NF rings hold far more than the pool; without a share, slow NFs would take
	 * every buffer and the ports could not receive for anyone, idle tenants
	 * included. The quarter left over is the ports' to receive into.
	 */
	uint64_t held_cap;
	uint64_t now;           /* TSC at the start of the round */
	struct pend *slot_pend; /* [max_nfs] */
	uint32_t *dirty;        /* slots with pending packets */
	uint32_t n_dirty;
	uint32_t port_dirty; /* bitmap of ports with pending packets */
	struct pend port_pend[SW_MAX_PORTS];
	uint16_t n_drop;
	struct rte_mbuf *drops[SW_BURST];
};

static inline void
drop(struct dp *dp, struct rte_mbuf *m, enum sw_drop why)
{
	sw.dp.drop[why]++;
	dp->drops[dp->n_drop++] = m;
	if (unlikely(dp->n_drop == SW_BURST)) {
		rte_pktmbuf_free_bulk(dp->drops, dp->n_drop);
		dp->n_drop = 0;
	}
}

static void
port_flush(struct dp *dp, uint16_t p)
{
	struct pend *q = &dp->port_pend[p];
	uint64_t now = rte_rdtsc();
	uint16_t sent, i;

	for (i = 0; i < q->n; i++)
		*sw_wire_tsc(q->m[i]) = now; /* one clock read a burst, like a NIC's stamp */
	sent = rte_eth_tx_burst(sw.ports[p], 0, q->m, q->n);
	sw.dp.tx[p] += sent;
	for (i = sent; i < q->n; i++)
		drop(dp, q->m[i], SW_DROP_PORT_TX_FULL);
	q->n = 0;
}

static inline void
port_push(struct dp *dp, uint16_t p, struct rte_mbuf *m)
{
	struct pend *q = &dp->port_pend[p];

	q->m[q->n++] = m;
	dp->port_dirty |= 1u << p;
	if (unlikely(q->n == SW_BURST))
		port_flush(dp, p);
}

/* The slot's private state, reset if a new NF attached to it since we last looked. */
static inline struct dp_slot *
slot_state(struct dp *dp, const struct fwd_slot *fs, uint32_t slot)
{
	struct dp_slot *ds = &dp->slots[slot];

	if (unlikely(ds->gen != fs->gen)) {
		ds->gen = fs->gen;
		ds->held = 0;
		ds->wait_since = 0;
		ds->woke = 0;
	}
	return ds;
}

static void
wake(struct dp *dp, uint32_t slot, uint32_t seq)
{
	dp->slots[slot].woke = seq;
	dp->slots[slot].wait_since = 0;
	sw.slot_stats[slot].wakeups++;
	sw.dp.wakeups++;
	if (myr_chan_wake(dp->chans[slot]) < 0)
		sw.dp.wake_errors++;
}

/*
 * B: packets were just enqueued to a blocking NF. Wake it now if it sleeps and
 * enough wait; otherwise remember when the first one came, for the aging timeout.
 */
static inline void
wake_policy(struct dp *dp, const struct fwd_slot *fs, struct dp_slot *ds, uint32_t slot)
{
	uint32_t seq;

	/* the enqueue's tail store must be visible before we read the NF's state */
	rte_smp_mb();
	seq = __atomic_load_n(&dp->chans[slot]->nf.sleep_seq, __ATOMIC_RELAXED);
	if (!(seq & 1) || seq == ds->woke)
		return; /* running, or already woken for this sleep */
	if (rte_ring_count(dp->to_nf[slot]) >= fs->wake_batch) {
		wake(dp, slot, seq);
	} else if (ds->wait_since == 0) {
		ds->wait_since = dp->now;
		if (!ds->aging) {
			ds->aging = 1;
			dp->aging[(dp->aging_head + dp->n_aging++) % sw.conf.max_nfs] = slot;
		}
	}
}

/*
 * B: wake the sleeping NFs whose oldest waiting packet reached its timeout.
 *
 * The timeout stretches with the number of NFs waiting: waking n NFs every T costs
 * n/T wake-ups per second, and the NFs' core cannot take more than the wake budget
 * (--wake-budget, measured in doc/wakeups.md). Past it, each wake-up would only
 * delay the others; so T is at least n / budget, which keeps every waiting NF served
 * in turn and bounds its latency by n / budget instead of letting it grow without
 * limit.
 */
static void
aging_scan(struct dp *dp, const struct fwd *f)
{
	uint64_t spread = dp->n_aging * dp->budget_cycles;

	while (dp->n_aging > 0) {
		uint32_t slot = dp->aging[dp->aging_head];
		const struct fwd_slot *fs = &f->slots[slot];
		struct dp_slot *ds = slot_state(dp, fs, slot);
		uint32_t seq = __atomic_load_n(&dp->chans[slot]->nf.sleep_seq, __ATOMIC_RELAXED);

		if (fs->gen != 0 && ds->wait_since != 0 && (seq & 1) && seq != ds->woke) {
			if (dp->now - ds->wait_since < RTE_MAX(fs->wake_timeout, spread))
				return; /* the head is the oldest: nothing behind it expired */
			wake(dp, slot, seq);
		}
		/* woken now, awake, or gone: no longer waiting on a timeout */
		ds->wait_since = 0;
		ds->aging = 0;
		dp->aging_head = (dp->aging_head + 1) % sw.conf.max_nfs;
		dp->n_aging--;
	}
}

static inline void
active_add(struct dp *dp, struct dp_slot *ds, uint32_t slot)
{
	if (ds->active == 0) {
		dp->active[dp->n_active++] = slot;
		ds->active = dp->n_active;
	}
}

static inline void
active_del(struct dp *dp, struct dp_slot *ds)
{
	uint32_t last = dp->active[--dp->n_active];

	dp->active[ds->active - 1] = last;
	dp->slots[last].active = ds->active;
	ds->active = 0;
}

static void
slot_flush(struct dp *dp, const struct fwd *f, uint32_t slot)
{
	struct pend *q = &dp->slot_pend[slot];
	struct dp_slot_stats *st = &sw.slot_stats[slot];
	const struct fwd_slot *fs = &f->slots[slot];
	struct dp_slot *ds = slot_state(dp, fs, slot);
	uint16_t sent, i;

	uint16_t n = q->n;

	if (unlikely(ds->held + n > dp->held_cap)) {
		uint16_t keep = ds->held >= dp->held_cap ? 0 : (uint16_t)(dp->held_cap - ds->held);

		for (i = keep; i < n; i++) {
			st->over_share++;
			drop(dp, q->m[i], SW_DROP_NF_OVER_SHARE);
		}
		n = keep;
	}
	/*
	 * Tag before the enqueue publishes the mbuf: from then on the NF may own it, and
	 * if the NF dies the control thread finds what it held by this tag.
	 */
	for (i = 0; i < n; i++)
		*sw_owner(q->m[i]) = slot + 1;
	sent = rte_ring_sp_enqueue_burst(dp->to_nf[slot], (void **)q->m, n, NULL);
	st->to_nf += sent;
	if (sent > 0) {
		ds->held += sent;
		active_add(dp, ds, slot);
		if (fs->transport == MYR_T_BLOCK)
			wake_policy(dp, fs, ds, slot);
	}
	for (i = sent; i < n; i++) {
		*sw_owner(q->m[i]) = 0;
		st->ring_full++;
		drop(dp, q->m[i], SW_DROP_NF_RING_FULL);
	}
	q->n = 0;
}

static inline void
slot_push(struct dp *dp, const struct fwd *f, uint32_t slot, struct rte_mbuf *m)
{
	struct pend *q = &dp->slot_pend[slot];

	if (q->n == 0)
		dp->dirty[dp->n_dirty++] = slot;
	q->m[q->n++] = m;
	if (unlikely(q->n == SW_BURST)) {
		slot_flush(dp, f, slot);
		/* still listed as dirty: flushing an empty pend at round end is harmless */
	}
}

static inline void
hop_send(struct dp *dp, const struct fwd *f, const struct fwd_hop *h, struct rte_mbuf *m)
{
	if (unlikely(h->down))
		drop(dp, m, SW_DROP_NF_DOWN);
	else if (h->next == SW_HOP_NONE)
		port_push(dp, h->port, m);
	else
		slot_push(dp, f, h->next, m);
}

static inline const struct fwd_mac *
mac_lookup(const struct fwd *f, const struct rte_ether_addr *a)
{
	uint64_t key = 0;
	uint32_t i;

	memcpy(&key, a, RTE_ETHER_ADDR_LEN);
	/* Fibonacci hashing: MACs of one tenant often differ only in the low byte */
	i = (uint32_t)((key * 0x9e3779b97f4a7c15ULL) >> 32) & f->mac_mask;
	for (;;) {
		const struct fwd_mac *e = &f->macs[i];

		if (e->key == key)
			return e;
		if (e->key == FWD_MAC_EMPTY)
			return NULL;
		i = (i + 1) & f->mac_mask;
	}
}

static uint16_t
rx_port(struct dp *dp, const struct fwd *f, uint16_t p)
{
	struct rte_mbuf *pkts[SW_BURST];
	uint16_t n, i;

	n = rte_eth_rx_burst(sw.ports[p], 0, pkts, SW_BURST);
	if (n == 0)
		return 0;
	sw.dp.rx[p] += n;
	for (i = 0; i < n; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct fwd_mac *e;

		if (unlikely(m->pkt_len < RTE_ETHER_HDR_LEN || m->data_len < RTE_ETHER_HDR_LEN)) {
			drop(dp, m, SW_DROP_RUNT);
			continue;
		}
		if (unlikely(m->pkt_len > sw.conf.max_frame || m->nb_segs != 1)) {
			drop(dp, m, SW_DROP_OVERSIZE);
			continue;
		}
		e = mac_lookup(f, &rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr);
		if (likely(e != NULL))
			hop_send(dp, f, &e->first, m);
		else if (f->has_default)
			port_push(dp, f->default_port, m);
		else
			drop(dp, m, SW_DROP_UNKNOWN_MAC);
	}
	return n;
}

static uint16_t
rx_nf(struct dp *dp, const struct fwd *f, uint32_t slot)
{
	struct dp_slot_stats *st = &sw.slot_stats[slot];
	const struct fwd_slot *fs = &f->slots[slot];
	struct dp_slot *ds = &dp->slots[slot];
	const struct fwd_hop *h = &fs->hop;
	void *objs[SW_BURST];
	uint16_t n, i;

	if (unlikely(ds->gen != fs->gen)) {
		/* its NF is gone (reclaimed by the control thread) or replaced */
		active_del(dp, ds);
		slot_state(dp, fs, slot);
		return 0;
	}
	n = rte_ring_sc_dequeue_burst(dp->from_nf[slot], objs, SW_BURST, NULL);
	if (n == 0)
		return 0;
	st->from_nf += n;
	ds->held -= n;
	if (ds->held == 0)
		active_del(dp, ds);
	for (i = 0; i < n; i++) {
		uintptr_t v = (uintptr_t)objs[i] & MYR_VERDICT_MASK;
		struct rte_mbuf *m = (struct rte_mbuf *)((uintptr_t)objs[i] & ~MYR_VERDICT_MASK);

		*sw_owner(m) = 0;
		switch (v) {
		case MYR_V_FORWARD:
			hop_send(dp, f, h, m);
			break;
		case MYR_V_TO_PORT:
			port_push(dp, h->port, m);
			break;
		case MYR_V_DROP:
			st->verdict_drop++;
			drop(dp, m, SW_DROP_NF_VERDICT);
			break;
		default:
			st->bad_verdict++;
			drop(dp, m, SW_DROP_NF_BAD_VERDICT);
			break;
		}
	}
	return n;
}

static void
round_end(struct dp *dp, const struct fwd *f)
{
	uint32_t i;

	for (i = 0; i < dp->n_dirty; i++) {
		uint32_t s = dp->dirty[i];

		if (dp->slot_pend[s].n > 0)
			slot_flush(dp, f, s);
	}
	dp->n_dirty = 0;
	while (dp->port_dirty != 0) {
		uint16_t p = __builtin_ctz(dp->port_dirty);

		dp->port_dirty &= dp->port_dirty - 1;
		if (dp->port_pend[p].n > 0)
			port_flush(dp, p);
	}
	if (dp->n_drop > 0) {
		rte_pktmbuf_free_bulk(dp->drops, dp->n_drop);
		dp->n_drop = 0;
	}
}

static int
dp_init(struct dp *dp)
{
	uint32_t i, max = sw.conf.max_nfs;

	memset(dp, 0, sizeof(*dp));
	dp->to_nf = rte_zmalloc("dp", sizeof(*dp->to_nf) * max, 0);
	dp->from_nf = rte_zmalloc("dp", sizeof(*dp->from_nf) * max, 0);
	dp->chans = rte_zmalloc("dp", sizeof(*dp->chans) * max, 0);
	dp->slots = rte_zmalloc("dp", sizeof(*dp->slots) * max, RTE_CACHE_LINE_SIZE);
	dp->active = rte_zmalloc("dp", sizeof(*dp->active) * max, 0);
	dp->aging = rte_zmalloc("dp", sizeof(*dp->aging) * max, 0);
	dp->slot_pend = rte_zmalloc("dp", sizeof(*dp->slot_pend) * max, RTE_CACHE_LINE_SIZE);
	/* each packet of a round adds at most one entry: bound by packets per round */
	dp->dirty = rte_zmalloc("dp", sizeof(*dp->dirty) * (max + SW_MAX_PORTS) * SW_BURST, 0);
	dp->budget_cycles = rte_get_tsc_hz() / sw.conf.wake_budget;
	if (!dp->to_nf || !dp->from_nf || !dp->slot_pend || !dp->dirty || !dp->chans ||
	    !dp->slots || !dp->active || !dp->aging)
		return -ENOMEM;
	for (i = 0; i < max; i++) {
		struct myr_chan *c = myr_shm_chan(sw.shm, i);

		dp->chans[i] = c;
		dp->to_nf[i] = (struct rte_ring *)((char *)c + c->sw.to_nf_off);
		dp->from_nf[i] = (struct rte_ring *)((char *)c + c->sw.from_nf_off);
	}
	return 0;
}

static void
dp_fini(struct dp *dp)
{
	rte_free(dp->to_nf);
	rte_free(dp->from_nf);
	rte_free(dp->chans);
	rte_free(dp->slots);
	rte_free(dp->active);
	rte_free(dp->aging);
	rte_free(dp->slot_pend);
	rte_free(dp->dirty);
}

int
dp_main(void *arg)
{
	struct dp dp;
	uint64_t seen = 0;

	(void)arg;
	if (dp_init(&dp) < 0) {
		dp_fini(&dp);
		sw.quit = 1;
		return -ENOMEM;
	}
	__atomic_store_n(&sw.dp_running, 1, __ATOMIC_RELEASE);
	/* quit == 2 means the control thread is still stopping NFs: keep forwarding */
	while (__atomic_load_n(&sw.quit, __ATOMIC_RELAXED) != 1) {
		const struct fwd *f = __atomic_load_n(&sw.fwd, __ATOMIC_ACQUIRE);
		uint64_t t0 = rte_rdtsc(), t, work = 0;
		uint32_t i;

		dp.now = t0;
		dp.held_cap = RTE_MAX((uint64_t)1,
				      (uint64_t)sw.conf.pool_size * 3 / 4 / (dp.n_active + 1));
		for (i = 0; i < sw.n_ports; i++)
			work += rx_port(&dp, f, i);
		/* backwards: rx_nf may move the last entry into position i */
		for (i = dp.n_active; i-- > 0;)
			work += rx_nf(&dp, f, dp.active[i]);
		round_end(&dp, f);
		if (dp.n_aging != 0)
			aging_scan(&dp, f);
		sw.dp.active_nfs = dp.n_active;

		sw.dp.rounds++;
		if (work != 0) {
			sw.dp.busy_rounds++;
			sw.dp.hops += work;
			sw.dp.busy_cycles += rte_rdtsc() - t0;
		}
		/* quiescent point: nothing read from f is used past here (see struct sw) */
		t = __atomic_load_n(&sw.sync_token, __ATOMIC_ACQUIRE);
		if (t != seen) {
			seen = t;
			__atomic_store_n(&sw.sync_seen, t, __ATOMIC_RELEASE);
		}
	}
	round_end(&dp, __atomic_load_n(&sw.fwd, __ATOMIC_ACQUIRE));
	__atomic_store_n(&sw.dp_running, 0, __ATOMIC_RELEASE);
	dp_fini(&dp);
	return 0;
}
