/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The data path: a worker polls the ports and the NFs' returns, classifies by
 * destination MAC, and moves each packet to its next hop, handing packets to each
 * kind of NF through its transport (transport.h). It never allocates, never logs and
 * never blocks; every packet it lets go is counted.
 */
#include <stdlib.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_pause.h>
#include <rte_prefetch.h>

#include "transport.h"

/* Adding a transport: its table in this list. */
static const struct dp_transport *const transport_list[] = { &dp_tr_poll, &dp_tr_block,
							     &dp_tr_bpf };
static const struct dp_transport *by_kind[MYR_T_MAX]; /* filled from the list */

/* Kinds with per-round work, in a dense list: the loop walks only these. */
static const struct dp_transport *pollers[MYR_T_MAX], *enders[MYR_T_MAX];
static unsigned int n_pollers, n_enders;

/* A buffer of the ports' pool for a copy out, as rte_pktmbuf_alloc leaves one; NULL:
 * the pool has none free */
static struct rte_mbuf *
wire_take(struct dp_worker *w)
{
	struct rte_mbuf *m;
	uint32_t n = w->n_wire;

	if (unlikely(n == 0)) {
		if (rte_mempool_get_bulk(sw.pool, (void **)w->wire, DP_WIRE_REFILL) == 0)
			n = DP_WIRE_REFILL;
		else if (rte_mempool_get(sw.pool, (void **)w->wire) == 0)
			n = 1;
		else
			return NULL;
	}
	m = w->wire[--n];
	__atomic_store_n(&w->n_wire, n, __ATOMIC_RELAXED);
	rte_pktmbuf_reset(m);
	return m;
}

void
dp_port_flush(struct dp_worker *w, uint16_t p)
{
	struct dp_pend *q = &w->port_pend[p];
	uint64_t now = rte_rdtsc();
	uint16_t sent, i, n = 0;

	for (i = 0; i < q->n; i++) {
		struct rte_mbuf *m = q->m[i];

		/* a tenant's buffer never leaves the switch: the port gets a copy (every
		 * buffer that is not a tenant's is of the ports' pool) */
		if (m->pool != sw.pool) {
			struct rte_mbuf *c = wire_take(w);

			if (unlikely(c == NULL)) {
				dp_drop(w, m, SW_DROP_PORT_POOL_EMPTY);
				continue;
			}
			tp_export(m, c);
			if (!tp_recycle(tp_of(m), m))
				dp_release(w, m);
			m = c;
		}
		*sw_wire_tsc(m) = now; /* one clock read a burst, like a NIC's stamp */
		q->m[n++] = m;
	}
	sent = rte_eth_tx_burst(sw.ports[p], 0, q->m, n);
	w->stats.tx[p] += sent;
	for (i = sent; i < n; i++)
		dp_drop(w, q->m[i], SW_DROP_PORT_TX_FULL);
	q->n = 0;
}

/* The packets in the NF's tenant pool (copied if they are not yet); @return how many */
static uint16_t
to_tenant(struct dp_worker *w, uint16_t id, struct rte_mbuf **pkts, uint16_t n)
{
	struct rte_mbuf *rel[SW_BURST], *nobuf[SW_BURST];
	uint16_t n_rel = 0, n_nobuf = 0, i;

	n = tp_import(tp_pools[id], pkts, n, rel, &n_rel, nobuf, &n_nobuf);
	for (i = 0; i < n_rel; i++)
		dp_release_wire(w, rel[i]);
	for (i = 0; i < n_nobuf; i++)
		dp_drop(w, nobuf[i], SW_DROP_TENANT_POOL_EMPTY);
	if (unlikely(n_nobuf > 0))
		tp_pools[id]->empty += n_nobuf;
	return n;
}

/* Drop pkts[keep, n) for why, each also counted in the slot's *ctr. @return keep */
static uint16_t
drop_tail(struct dp_worker *w, struct rte_mbuf **pkts, uint16_t keep, uint16_t n, uint64_t *ctr,
	  enum sw_drop why)
{
	uint16_t i;

	for (i = keep; i < n; i++) {
		(*ctr)++;
		dp_drop(w, pkts[i], why);
	}
	return keep;
}

/*
 * Hand n packets to the NF of a slot: in its tenant's pool, whose size bounds what the
 * tenant holds; or (shared memory, in-switch NFs) within its share of the one pool.
 */
void
dp_slot_send(struct dp_worker *w, uint32_t slot, struct rte_mbuf **pkts, uint16_t n)
{
	struct dp_slot_stats *st = &sw.slot_stats[slot];
	const struct fwd_slot *fs = &w->f->slots[slot];
	struct dp_slot *ds = dp_slot_state(w, fs, slot);
	uint16_t sent;

	if (fs->tpool != TP_NONE) {
		/* a ring kind: what its ring has no room for is dropped before it costs a copy
		 * and a tenant buffer (in overload, most of what arrives; an impossible index
		 * is left for the enqueue to report) */
		uint32_t used = dp_ring_used(w, slot);

		if (unlikely(used <= sw.conf.ring_size && n > sw.conf.ring_size - used)) {
			n = drop_tail(w, pkts, (uint16_t)(sw.conf.ring_size - used), n,
				      &st->ring_full, SW_DROP_NF_RING_FULL);
			if (n == 0)
				return;
		}
		n = to_tenant(w, fs->tpool, pkts, n);
		if (n == 0)
			return;
	} else if (unlikely(ds->held + n > w->held_cap)) {
		uint16_t keep = ds->held >= w->held_cap ? 0 : (uint16_t)(w->held_cap - ds->held);

		n = drop_tail(w, pkts, keep, n, &st->over_share, SW_DROP_NF_OVER_SHARE);
		if (n == 0)
			return;
	}
	/* counted as held before the kind sees them: an in-switch NF returns them at once */
	if (ds->held == 0)
		w->n_holding++;
	ds->held += n;
	sent = by_kind[fs->kind]->deliver(w, fs, slot, pkts, n);
	st->to_nf += sent;
	if (unlikely(sent < n)) {
		ds->held -= n - sent;
		if (ds->held == 0)
			w->n_holding--;
		drop_tail(w, pkts, sent, n, &st->ring_full, SW_DROP_NF_RING_FULL);
	}
}

static uint16_t
rx_port(struct dp_worker *w, uint16_t p)
{
	const struct fwd *f = w->f;
	struct rte_mbuf *pkts[SW_BURST];
	uint16_t n, i;

	n = rte_eth_rx_burst(sw.ports[p], 0, pkts, SW_BURST);
	if (n == 0)
		return 0;
	w->stats.rx[p] += n;
	for (i = 0; i < n; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct fwd_mac *e;

		if (unlikely(m->pkt_len < RTE_ETHER_HDR_LEN || m->data_len < RTE_ETHER_HDR_LEN)) {
			dp_drop(w, m, SW_DROP_RUNT);
			continue;
		}
		if (unlikely(m->pkt_len > sw.conf.max_frame || m->nb_segs != 1)) {
			dp_drop(w, m, SW_DROP_OVERSIZE);
			continue;
		}
		e = dp_mac_lookup(f, &rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr);
		if (likely(e != NULL))
			dp_hop_send(w, &e->first, m);
		else if (f->has_default)
			dp_port_push(w, f->default_port, m);
		else
			dp_drop(w, m, SW_DROP_UNKNOWN_MAC);
	}
	return n;
}

/*
 * Asking ahead. With thousands of NFs, each burst of a round goes to an NF that was
 * last served a round or more before: its snapshot entry, counters and ring indexes,
 * its channel, its tenant pool and the free buffer the copy will fill are cache (and
 * TLB) misses, a dozen a burst, and served one after the other they were most of a
 * hop's cost (perf: tp_import's first loads and stores). flush_all() asks for them a
 * few bursts ahead, so that they overlap; in three steps, since the addresses each
 * step asks for are read from what the step before brought in. Every slot's channel
 * and rings are mapped from start to exit (control/mem.c), and a prefetch never
 * faults: an entry of a slot whose NF is gone costs a wasted request, nothing more.
 */
#define DP_AHEAD 2 /* bursts between two steps */

/* for a line about to be written (DPDK 22.11's rte_prefetch0_write is experimental) */
static inline void
prefetch_w(const void *p)
{
	__builtin_prefetch(p, 1, 3);
}

static inline void
ahead_slot(const struct dp_worker *w, const struct dp_pend *q)
{
	uint32_t slot = q->slot;

	rte_prefetch0(&w->f->slots[slot]);
	rte_prefetch0(&w->slots[slot]);
	rte_prefetch0(&sw.slot_stats[slot]);
	rte_prefetch0(q->m[0]);
	rte_prefetch0(&sw.to_nf[slot]->cons);
	rte_prefetch0(&sw.chans[slot]->nf);
}

static inline void
ahead_pool(const struct dp_worker *w, const struct dp_pend *q)
{
	const struct fwd_slot *fs = &w->f->slots[q->slot];
	struct myr_ring *r = sw.to_nf[q->slot];

	prefetch_w(&r->prod);
	prefetch_w(&r->e[w->slots[q->slot].to_prod & (sw.conf.ring_size - 1)]);
	if (fs->tpool != TP_NONE) {
		const struct tpool *tp = tp_pools[fs->tpool];

		rte_prefetch0(tp);
		rte_prefetch0(&tp->stash[TP_STASH / 2]);
		rte_prefetch0(&tp->stash[TP_STASH - 1]);
	}
}

static inline void
ahead_buffer(const struct dp_worker *w, const struct dp_pend *q)
{
	const struct fwd_slot *fs = &w->f->slots[q->slot];
	const struct tpool *tp;
	const struct rte_mbuf *c;

	if (fs->tpool == TP_NONE)
		return;
	tp = tp_pools[fs->tpool];
	if (tp->n_stash == 0 || tp_mine(tp, q->m[0]))
		return;
	c = tp->stash[tp->n_stash - 1];
	prefetch_w(c);
	prefetch_w(&tp->owner[c - tp->hdrs]);
}

/* Hand over what the round gathered: one burst per destination. */
static void
flush_all(struct dp_worker *w)
{
	/* pend_tail is read each time: a kind that returns packets at once (in-switch NFs)
	 * may queue more destinations while this runs; an entry is freed only once its
	 * burst is delivered, so what they queue never lands on it */
	w->flushing = true;
	while (w->pend_head != w->pend_tail) {
		struct dp_pend *q = &w->pend[w->pend_head & (DP_PENDS - 1)];
		uint32_t ahead = w->pend_tail - w->pend_head;
		uint16_t n = q->n;

		if (ahead > 3 * DP_AHEAD)
			ahead_slot(w, &w->pend[(w->pend_head + 3 * DP_AHEAD) & (DP_PENDS - 1)]);
		if (ahead > 2 * DP_AHEAD)
			ahead_pool(w, &w->pend[(w->pend_head + 2 * DP_AHEAD) & (DP_PENDS - 1)]);
		if (ahead > DP_AHEAD)
			ahead_buffer(w, &w->pend[(w->pend_head + DP_AHEAD) & (DP_PENDS - 1)]);

		w->slots[q->slot].pend = 0;
		q->n = 0;
		if (n > 0)
			dp_slot_send(w, q->slot, q->m, n);
		w->pend_head++;
	}
	w->pend_head = w->pend_tail = 0; /* the next round reuses the same, hot, entries */
	w->flushing = false;
	while (w->port_dirty != 0) {
		uint16_t p = __builtin_ctz(w->port_dirty);

		w->port_dirty &= w->port_dirty - 1;
		if (w->port_pend[p].n > 0)
			dp_port_flush(w, p);
	}
	if (w->n_free > 0) {
		rte_pktmbuf_free_bulk(w->frees, w->n_free);
		w->n_free = 0;
	}
}

/* A queue entry filled up mid-round: its burst goes now, from a copy, since a
 * flush_all() below this call (dp_pend_full) may hand the entry out again. */
void
dp_pend_burst(struct dp_worker *w, struct dp_pend *q)
{
	struct rte_mbuf *burst[SW_BURST];
	uint16_t n = q->n;

	memcpy(burst, q->m, n * sizeof(burst[0]));
	q->n = 0;
	dp_slot_send(w, q->slot, burst, n);
}

/*
 * A packet for a slot with nothing queued, and the queue is full (a round with more
 * than DP_PENDS destinations): hand over what is queued and start again; while that
 * hand-over runs (an in-switch NF forwarding), send the packet on its own.
 */
void
dp_pend_full(struct dp_worker *w, uint32_t slot, struct rte_mbuf *m)
{
	if (w->flushing) {
		dp_slot_send(w, slot, &m, 1);
		return;
	}
	flush_all(w);
	dp_slot_push(w, slot, m);
}

/*
 * Bursts a round takes from a port while it has more. The rest of a round costs about
 * the same however many packets came in: with thousands of NFs holding packets it
 * polls each of the awake ones, a cache miss or two apiece, and at one burst a round
 * that cost was most of each packet's. Taking up to this many spreads it; a port with
 * less than a burst waiting (low load) is read once, as before, so latency is unchanged
 * where the rounds are short anyway.
 */
#define DP_RX_BURSTS 8

uint32_t
dp_round(struct dp_worker *w)
{
	uint32_t work = 0, i;

	w->held_cap =
		RTE_MAX((uint64_t)1, (uint64_t)sw.conf.pool_size * 3 / 4 / (w->n_holding + 1));
	for (i = 0; i < sw.n_ports; i++) {
		unsigned int bursts = 0;
		uint16_t n;

		do {
			n = rx_port(w, i);
			work += n;
		} while (n == SW_BURST && ++bursts < DP_RX_BURSTS);
	}
	for (i = 0; i < n_pollers; i++)
		work += pollers[i]->poll(w);
	flush_all(w);
	for (i = 0; i < n_enders; i++)
		enders[i]->round_end(w);
	w->stats.active_nfs = w->n_holding;
	return work;
}

static void
transports_init(void)
{
	unsigned int i;

	if (n_pollers + n_enders != 0)
		return;
	for (i = 0; i < RTE_DIM(transport_list); i++) {
		const struct dp_transport *t = transport_list[i];

		by_kind[t->kind] = t;
		if (t->poll != NULL)
			pollers[n_pollers++] = t;
		if (t->round_end != NULL)
			enders[n_enders++] = t;
	}
}

void
dp_worker_destroy(struct dp_worker *w)
{
	unsigned int i;

	if (w == NULL)
		return;
	for (i = 0; i < RTE_DIM(transport_list); i++)
		if (transport_list[i]->worker_fini != NULL)
			transport_list[i]->worker_fini(w);
	if (w->n_wire > 0)
		rte_mempool_put_bulk(sw.pool, (void **)w->wire, w->n_wire);
	free(w->slots);
	free(w);
}

struct dp_worker *
dp_worker_create(unsigned int id)
{
	uint32_t max = sw.conf.max_nfs;
	struct dp_worker *w;
	unsigned int i;

	transports_init();
	/* private memory (not hugepages): no NF maps what the data path keeps for itself */
	w = aligned_alloc(RTE_CACHE_LINE_SIZE, RTE_ALIGN_CEIL(sizeof(*w), RTE_CACHE_LINE_SIZE));
	if (w == NULL)
		return NULL;
	memset(w, 0, sizeof(*w));
	w->id = id;
	w->slots = calloc(max, sizeof(*w->slots));
	if (w->slots == NULL)
		goto fail;
	for (i = 0; i < RTE_DIM(transport_list); i++)
		if (transport_list[i]->worker_init != NULL && transport_list[i]->worker_init(w) < 0)
			goto fail;
	return w;
fail:
	dp_worker_destroy(w);
	return NULL;
}

void
dp_stats_sum(struct dp_stats *sum)
{
	unsigned int i, j;

	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < sw.n_workers; i++) {
		const uint64_t *c = (const uint64_t *)&sw.workers[i]->stats;
		uint64_t *s = (uint64_t *)sum;

		/* every member is a u64 counter, written by that worker alone */
		for (j = 0; j < sizeof(*sum) / sizeof(uint64_t); j++)
			s[j] += sw_read(&c[j]);
	}
	/* active_nfs is a level, but of each worker's own slots: the sum is right too */
}

unsigned int
dp_pool_avail(void)
{
	unsigned int n = rte_mempool_avail_count(sw.pool), i;

	/* what the workers keep is free too, as a mempool's per-lcore caches are */
	for (i = 0; i < sw.n_workers; i++)
		n += __atomic_load_n(&sw.workers[i]->n_wire, __ATOMIC_RELAXED);
	return n;
}

const struct dp_transport *
dp_transport(enum myr_transport kind)
{
	transports_init();
	return (unsigned int)kind < MYR_T_MAX ? by_kind[kind] : NULL;
}

/*
 * Wait for a grace period: until every running worker has passed a quiescent point
 * after this call began. A worker that is not running reads nothing (dp_main
 * clears running only after its last use of the snapshot).
 *
 * The caller is the control thread: real-time, on the NFs' core. It spins a round's
 * worth at most, then sleeps between looks. Spinning on would keep that core from
 * every process of normal priority there, and a round can be waiting for one of them:
 * the generator, stopped half-way through an operation on the ports' pool ring, which
 * the worker's next free or allocation then waits for (a deadlock until the kernel's
 * real-time throttling let the generator run).
 */
void
sw_sync(void)
{
	uint64_t t = __atomic_add_fetch(&sw.sync_token, 1, __ATOMIC_RELEASE);
	unsigned int i, spins = 0;

	for (i = 0; i < sw.n_workers; i++) {
		struct dp_worker *w = sw.workers[i];

		while (__atomic_load_n(&w->running, __ATOMIC_ACQUIRE) &&
		       __atomic_load_n(&w->sync_seen, __ATOMIC_ACQUIRE) < t) {
			if (++spins < 1024)
				rte_pause();
			else
				rte_delay_us_sleep(20);
		}
	}
}

bool
dp_running(void)
{
	unsigned int i;

	for (i = 0; i < sw.n_workers; i++)
		if (__atomic_load_n(&sw.workers[i]->running, __ATOMIC_ACQUIRE))
			return true;
	return false;
}

int
dp_main(void *arg)
{
	struct dp_worker *w = arg;
	uint64_t seen = 0;

	__atomic_store_n(&w->running, true, __ATOMIC_RELEASE);
	/* quit == 2 means the control thread is still stopping NFs: keep forwarding */
	while (__atomic_load_n(&sw.quit, __ATOMIC_RELAXED) != 1) {
		uint64_t t0 = rte_rdtsc(), t;
		uint32_t work;

		w->f = __atomic_load_n(&sw.fwd, __ATOMIC_ACQUIRE);
		w->now = t0;
		work = dp_round(w);
		w->stats.rounds++;
		if (work != 0) {
			w->stats.busy_rounds++;
			w->stats.hops += work;
			w->stats.busy_cycles += rte_rdtsc() - t0;
		}
		/* quiescent point: nothing read from w->f is used past here (see struct sw) */
		t = __atomic_load_n(&sw.sync_token, __ATOMIC_ACQUIRE);
		if (t != seen) {
			seen = t;
			__atomic_store_n(&w->sync_seen, t, __ATOMIC_RELEASE);
		}
	}
	w->f = __atomic_load_n(&sw.fwd, __ATOMIC_ACQUIRE);
	flush_all(w);
	/* sw_sync() may return once we are not running: nothing of ours is read after */
	__atomic_store_n(&w->running, false, __ATOMIC_RELEASE);
	return 0;
}
