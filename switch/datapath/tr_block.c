/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Transport block (B), data path: the same rings as poll (tr_ring.c), but the NF
 * sleeps when its ring is empty and the switch wakes it when --wake-batch packets
 * wait or the oldest has waited its --wake-timeout, within the wake budget. The NF
 * side of the sleep protocol is nf/tr_block.c.
 *
 * When to wake. A sleeping NF with packets it was not woken for has a deadline: the
 * arrival of the first of them plus its own timeout, or now once a batch waits. The
 * deadlines are a min-heap (one entry per NF), so NFs with different timeouts never
 * wait behind each other. The wake budget (--wake-budget, wake-ups per second the NFs'
 * core can take: doc/wakeups.md) is a rate limit over every wake-up, batch or timeout
 * alike: a wake-up is allowed when the budget's clock (one 1/budget interval a wake-up,
 * a burst of WAKE_BURST allowed) says so, and the heap serves the earliest deadlines
 * first. Past the budget, each wake-up would only delay the others; limited, the NFs
 * are woken in deadline order and their batches grow with the wait, so each wake-up
 * carries more packets. This is the paper's latency problem made explicit: with W
 * wake-ups per second and K NFs on a core, no NF can be woken more than W/K times a
 * second.
 *
 * Who makes the FUTEX_WAKE call (--waker). A FUTEX_WAKE of an NF on another core
 * costs the caller microseconds on these guests (an inter-processor interrupt, which
 * in a VM is an exit: doc/wakeups.md), and that is time the data path's core does not
 * forward. With --waker thread the data path only moves the NF's futex word, which is
 * enough for the NF never to miss it, and queues the slot to a waker thread on the
 * NFs' core; it wakes that thread, when it sleeps, once a round. The waker's calls
 * then wake NFs on its own core (no interrupt), and a round's wake-ups cost the data
 * path one call or none.
 */
#include <pthread.h>
#include <stdlib.h>

#include <rte_cycles.h>
#include <rte_lcore.h>

#include "tr_block.h"
#include "transport.h"

enum {
	CTR_WAKEUPS,
	CTR_WAKE_ERRORS,
	CTR_WAKE_DEFERRED,
	CTR_WAKER_KICKS,
	CTR_SWEEP_ROUSES,
};                                          /* stats.kind[block][] */
enum { SLOT_CTR_WAKEUPS, SLOT_CTR_WASTED }; /* slot_stats[].kind[] */

/* Wake-ups allowed at once above the budget's rate (a burst of one round's worth). */
#define WAKE_BURST 32

/* The worker's view of one blocking NF. */
struct block_slot {
	uint32_t gen;      /* attachment this state belongs to */
	uint32_t woke;     /* the NF's sleep_seq we last woke; never wake it twice */
	uint32_t dozed;    /* its sleep_seq when its slot last dozed (transport.h) */
	uint32_t heap;     /* position in the deadline heap + 1; 0: not in it */
	uint32_t wasted;   /* wake-ups in a row after which it returned nothing */
	uint32_t listed;   /* in this round's delivered list */
	uint64_t since;    /* TSC of the oldest packet a sleeping NF was not woken for; 0 */
	uint64_t woke_at;  /* TSC of its last wake-up; 0: none yet */
	uint64_t returned; /* its slot_stats from_nf then */
};

/*
 * Wasted wake-ups. A real NF woken with packets waiting returns some before it sleeps
 * again. One that goes back to sleep (a new sleep_seq) having returned nothing since
 * its last wake-up, buggy or forging its sleep state to take the wake budget from the
 * others, is woken again only after a back-off that doubles with each such wake-up
 * (its timeout x 2^wasted, wasted up to WASTE_MAX), and is served normally again as
 * soon as it returns a packet. A real NF whose returns this round's poll had not yet
 * seen is judged so once; they are seen before its next wake-up, which is not held.
 */
#define WASTE_MAX 12

struct deadline {
	uint64_t at; /* TSC */
	uint32_t slot;
};

/*
 * A worker's waker thread, and the queue to it (an SP/SC ring in private memory) of the
 * slots whose futex word moved and whose NF still needs its FUTEX_WAKE.
 */
struct waker {
	struct rte_ring *q;
	uint64_t posted; /* the worker's: slots it queued */
	uint64_t kicked; /* posted, when the worker last looked at the waker */
	pthread_t thread;
	bool started;
	/* the waker's */
	uint32_t sleeping __rte_cache_aligned; /* futex word: 1 while it sleeps or is about to */
	bool stop;
	uint64_t errors; /* failed FUTEX_WAKE calls */
};

struct block_worker {
	struct dp_ring_active active;
	struct waker *waker;      /* NULL: --waker inline */
	uint64_t wake_errors;     /* of the worker's own FUTEX_WAKE calls */
	struct block_slot *slots; /* [max_nfs] */
	struct deadline *heap;    /* [max_nfs]: min-heap on .at */
	uint32_t n_heap;
	uint32_t *delivered; /* [max_nfs]: slots given packets this round, to check */
	uint32_t n_delivered;
	uint64_t budget_cycles; /* TSC cycles per wake-up at the wake budget */
	uint64_t budget_tat;    /* the budget's clock: when the next wake-up is due */
};

/* --wake-budget: set by control/tr_block.c before the workers start */
uint32_t block_wake_budget = 150000;
bool block_waker_thread;

/* --- the deadline heap --- */

static inline void
heap_set(struct block_worker *b, uint32_t i, struct deadline d)
{
	b->heap[i] = d;
	b->slots[d.slot].heap = i + 1;
}

static void
heap_up(struct block_worker *b, uint32_t i)
{
	struct deadline d = b->heap[i];

	while (i > 0) {
		uint32_t parent = (i - 1) / 2;

		if (b->heap[parent].at <= d.at)
			break;
		heap_set(b, i, b->heap[parent]);
		i = parent;
	}
	heap_set(b, i, d);
}

static void
heap_down(struct block_worker *b, uint32_t i)
{
	struct deadline d = b->heap[i];

	for (;;) {
		uint32_t c = 2 * i + 1;

		if (c >= b->n_heap)
			break;
		if (c + 1 < b->n_heap && b->heap[c + 1].at < b->heap[c].at)
			c++;
		if (d.at <= b->heap[c].at)
			break;
		heap_set(b, i, b->heap[c]);
		i = c;
	}
	heap_set(b, i, d);
}

/* Give a slot a deadline (a new entry, or a new time for its entry). */
static void
heap_put(struct block_worker *b, uint32_t slot, uint64_t at)
{
	struct block_slot *bs = &b->slots[slot];
	uint32_t i;

	if (bs->heap == 0) {
		i = b->n_heap++;
		heap_set(b, i, (struct deadline){ .at = at, .slot = slot });
		heap_up(b, i);
		return;
	}
	i = bs->heap - 1;
	if (at < b->heap[i].at) {
		b->heap[i].at = at;
		heap_up(b, i);
	} else if (at > b->heap[i].at) {
		b->heap[i].at = at;
		heap_down(b, i);
	}
}

static void
heap_pop(struct block_worker *b)
{
	b->slots[b->heap[0].slot].heap = 0;
	if (--b->n_heap > 0) {
		heap_set(b, 0, b->heap[b->n_heap]);
		heap_down(b, 0);
	}
}

/* --- the waker thread --- */

static bool
waker_post(struct waker *k, uint32_t slot)
{
	if (rte_ring_sp_enqueue(k->q, (void *)(uintptr_t)slot) != 0)
		return false;
	k->posted++;
	return true;
}

static inline int
futex_private(uint32_t *word, int op, uint32_t val)
{
	return (int)syscall(SYS_futex, word, op | FUTEX_PRIVATE_FLAG, val, NULL, NULL, 0);
}

/* Once a round, if anything was posted since the last look: wake the waker if it
 * sleeps. The fence pairs with the waker's between announcing its sleep and looking at
 * the queue: one of the two sees the other. */
static void
waker_round_end(struct dp_worker *w, struct waker *k)
{
	if (k->kicked == k->posted)
		return;
	k->kicked = k->posted;
	rte_smp_mb();
	if (__atomic_load_n(&k->sleeping, __ATOMIC_RELAXED) &&
	    __atomic_exchange_n(&k->sleeping, 0, __ATOMIC_RELAXED)) {
		w->stats.kind[MYR_T_BLOCK][CTR_WAKER_KICKS]++;
		futex_private(&k->sleeping, FUTEX_WAKE, 1);
	}
}

static void *
waker_main(void *arg)
{
	struct waker *k = arg;
	void *slots[SW_BURST];

	for (;;) {
		unsigned int n = rte_ring_sc_dequeue_burst(k->q, slots, SW_BURST, NULL), i;

		if (n == 0) {
			if (__atomic_load_n(&k->stop, __ATOMIC_ACQUIRE))
				return NULL;
			__atomic_store_n(&k->sleeping, 1, __ATOMIC_RELAXED);
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
			if (rte_ring_empty(k->q) && !__atomic_load_n(&k->stop, __ATOMIC_ACQUIRE))
				futex_private(&k->sleeping, FUTEX_WAIT, 1);
			__atomic_store_n(&k->sleeping, 0, __ATOMIC_RELAXED);
			continue;
		}
		for (i = 0; i < n; i++)
			if (block_futex_wake(sw.chans[(uintptr_t)slots[i]]) < 0)
				__atomic_fetch_add(&k->errors, 1, __ATOMIC_RELAXED);
	}
}

static void
waker_stop(struct waker *k)
{
	if (k->started) {
		__atomic_store_n(&k->stop, true, __ATOMIC_RELEASE);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		__atomic_store_n(&k->sleeping, 0, __ATOMIC_RELAXED);
		futex_private(&k->sleeping, FUTEX_WAKE, 1);
		pthread_join(k->thread, NULL);
	}
	free(k->q);
	free(k);
}

/*
 * The waker runs where the control thread does (the NFs' core), as a real-time thread
 * of the same priority: the NFs it wakes run once it has made its calls and sleeps.
 * The queue holds a wake-up of every NF twice over; past that, the worker makes the
 * call itself.
 */
static struct waker *
waker_start(void)
{
	struct waker *k =
		aligned_alloc(RTE_CACHE_LINE_SIZE, RTE_ALIGN_CEIL(sizeof(*k), RTE_CACHE_LINE_SIZE));
	uint32_t size = rte_align32pow2(2 * sw.conf.max_nfs + 1);
	ssize_t bytes = rte_ring_get_memsize(size);
	int ret;

	if (k == NULL)
		return NULL;
	memset(k, 0, sizeof(*k));
	if (bytes > 0)
		k->q = aligned_alloc(RTE_CACHE_LINE_SIZE,
				     RTE_ALIGN_CEIL((size_t)bytes, RTE_CACHE_LINE_SIZE));
	if (k->q == NULL ||
	    rte_ring_init(k->q, "myr-waker", size, RING_F_SP_ENQ | RING_F_SC_DEQ) < 0)
		goto fail;
	ret = rte_ctrl_thread_create(&k->thread, "myr-waker", NULL, waker_main, k);
	if (ret != 0) {
		LOG(ERR, "cannot start the waker thread: %s", strerror(ret));
		goto fail;
	}
	k->started = true;
	sw_thread_for_nfs(k->thread, "waker");
	return k;
fail:
	waker_stop(k);
	return NULL;
}

/* --- waking --- */

static inline struct block_slot *
block_slot(struct block_worker *b, const struct fwd_slot *fs, uint32_t slot)
{
	struct block_slot *bs = &b->slots[slot];

	if (unlikely(bs->gen != fs->gen)) {
		/* a new NF: forget the old one's sleep (a heap entry goes when it is due) */
		bs->gen = fs->gen;
		bs->woke = 0;
		bs->dozed = 0;
		bs->since = 0;
		bs->wasted = 0;
		bs->woke_at = 0;
	}
	return bs;
}

/* @return the TSC before which this NF is not to be woken (0: none) */
static inline uint64_t
held_back_until(const struct block_slot *bs, uint32_t slot, uint64_t timeout)
{
	if (likely(bs->wasted == 0) || sw.slot_stats[slot].from_nf != bs->returned)
		return 0;
	return bs->woke_at + (timeout << bs->wasted);
}

/* May one more wake-up happen now, within the budget? (a GCRA: the budget's clock may
 * run up to WAKE_BURST intervals ahead of now) */
static inline bool
budget_allows(const struct block_worker *b, uint64_t now)
{
	return b->budget_tat <= now + (WAKE_BURST - 1) * b->budget_cycles;
}

static void
wake(struct dp_worker *w, struct block_worker *b, struct block_slot *bs, uint32_t slot,
     uint32_t seq)
{
	uint64_t returned = sw.slot_stats[slot].from_nf;

	if (unlikely(bs->woke_at != 0 && returned == bs->returned)) {
		bs->wasted += bs->wasted < WASTE_MAX;
		sw.slot_stats[slot].kind[SLOT_CTR_WASTED]++;
	} else {
		bs->wasted = 0;
	}
	bs->returned = returned;
	bs->woke_at = w->now;
	bs->woke = seq;
	bs->since = 0;
	b->budget_tat = RTE_MAX(b->budget_tat, w->now) + b->budget_cycles;
	sw.slot_stats[slot].kind[SLOT_CTR_WAKEUPS]++;
	w->stats.kind[MYR_T_BLOCK][CTR_WAKEUPS]++;
	dp_ring_rouse_now(&b->active, slot);
	if (b->waker != NULL) {
		block_bump(sw.chans[slot]);
		if (waker_post(b->waker, slot))
			return;
		/* the waker is this far behind: make the call here */
		if (block_futex_wake(sw.chans[slot]) < 0)
			b->wake_errors++;
		return;
	}
	if (block_kick(sw.chans[slot]) < 0)
		b->wake_errors++;
}

/*
 * Packets were just enqueued to a blocking NF: whether it sleeps is looked at once, at
 * the end of the round (check_delivered), for every NF given packets in it.
 */
static uint16_t
block_deliver(struct dp_worker *w, const struct fwd_slot *fs, uint32_t slot, struct rte_mbuf **pkts,
	      uint16_t n)
{
	struct block_worker *b = w->tr[MYR_T_BLOCK];
	struct block_slot *bs;
	uint16_t sent;

	sent = dp_ring_deliver(w, &b->active, fs, slot, pkts, n);
	if (sent == 0)
		return 0;
	bs = block_slot(b, fs, slot);
	if (!bs->listed) {
		bs->listed = 1;
		b->delivered[b->n_delivered++] = slot;
		rte_prefetch0(&sw.chans[slot]->nf.tr.block.sleep_seq);
	}
	return sent;
}

/*
 * The NFs given packets this round. One that sleeps (and was not woken for this sleep)
 * gets a deadline: its timeout after the first packet, or now once a batch waits; a
 * batch is woken at once if the budget allows.
 *
 * Each enqueue must be visible before the NF's sleep_seq is read (the NF orders the
 * other way round: nf/tr_block.c), and on x86 only a full fence orders a store before
 * a later load. The fence waits until every store before it has reached the cache,
 * among them the ring's producer index, a line the NF's core holds. Fenced after each
 * delivery, those waits came one after the other: 13 % of the data path's core at
 * 2000 NFs, nearly all on the fence (perf annotate). One fence a round waits for all
 * of them at once, and the lines read after it were asked for at delivery.
 */
static void
check_delivered(struct dp_worker *w, struct block_worker *b)
{
	uint32_t i;

	if (b->n_delivered == 0)
		return;
	rte_smp_mb();
	for (i = 0; i < b->n_delivered; i++) {
		uint32_t slot = b->delivered[i];
		const struct fwd_slot *fs = &w->f->slots[slot];
		const struct block_params *p = (const struct block_params *)&fs->params;
		struct block_slot *bs = &b->slots[slot];
		uint32_t seq;

		bs->listed = 0;
		seq = __atomic_load_n(&sw.chans[slot]->nf.tr.block.sleep_seq, __ATOMIC_RELAXED);
		if (!(seq & 1)) {
			dp_ring_rouse(&b->active, slot); /* running: it may return these soon */
			continue;
		}
		if (seq == bs->woke)
			continue; /* already woken for this sleep */
		if (dp_ring_queued(w, slot) >= p->batch) {
			uint64_t until = held_back_until(bs, slot, p->timeout_tsc);

			if (unlikely(until > w->now)) {
				heap_put(b, slot, until);
				continue;
			}
			if (budget_allows(b, w->now)) {
				wake(w, b, bs, slot, seq);
				continue;
			}
			/* due now: first in line when the budget allows */
			w->stats.kind[MYR_T_BLOCK][CTR_WAKE_DEFERRED]++;
			heap_put(b, slot, w->now);
		} else if (bs->since == 0) {
			bs->since = w->now;
			heap_put(b, slot, w->now + p->timeout_tsc);
		}
	}
	b->n_delivered = 0;
}

/*
 * A polled slot that returned nothing dozes if its NF sleeps (odd sleep_seq) and was
 * not woken for this sleep: the NF publishes its returns before it says it sleeps
 * (nf/tr_block.c), so once that is read, the ring index read after it is final until
 * the NF runs again. It runs again when woken (wake() rouses the slot) or by itself,
 * having found packets in the check it makes after saying it sleeps: check_delivered
 * then saw it running, or gave it a deadline, at which wake_due rouses it. The sweep
 * covers the rest (an NF's own signal, a lie).
 */
static bool
block_dozes(struct dp_worker *w, uint32_t slot)
{
	struct block_worker *b = w->tr[MYR_T_BLOCK];
	struct block_slot *bs = block_slot(b, &w->f->slots[slot], slot);
	uint32_t seq = __atomic_load_n(&sw.chans[slot]->nf.tr.block.sleep_seq, __ATOMIC_ACQUIRE);

	if (!(seq & 1) || seq == bs->woke || dp_ring_returned(w, slot) != 0)
		return false;
	bs->dozed = seq;
	return true;
}

/* The sweep's question: has a dozing slot's NF run since, or returned anything? */
static bool
block_stirred(struct dp_worker *w, uint32_t slot)
{
	struct block_worker *b = w->tr[MYR_T_BLOCK];
	uint32_t seq = __atomic_load_n(&sw.chans[slot]->nf.tr.block.sleep_seq, __ATOMIC_ACQUIRE);

	return seq != b->slots[slot].dozed || dp_ring_returned(w, slot) != 0;
}

static uint32_t
block_poll(struct dp_worker *w)
{
	struct block_worker *b = w->tr[MYR_T_BLOCK];

	return dp_ring_poll(w, &b->active, block_dozes);
}

/*
 * Wake the sleeping NFs whose deadline has come, earliest first, as far as the budget
 * allows. An entry whose NF woke by itself, was woken for a batch, or is gone, is
 * dropped when it comes up.
 *
 * sleep_seq is read without a fence here: the enqueue it must be ordered after was
 * fenced in check_delivered, in this round or an earlier one; a stale odd value costs
 * at most one spurious FUTEX_WAKE, which the NF's loop absorbs.
 */
static void
wake_due(struct dp_worker *w, struct block_worker *b)
{
	while (b->n_heap > 0 && b->heap[0].at <= w->now) {
		uint32_t slot = b->heap[0].slot;
		const struct fwd_slot *fs = &w->f->slots[slot];
		struct block_slot *bs = &b->slots[slot];
		const struct block_params *p;
		uint64_t until;
		uint32_t seq;

		if (fs->gen != bs->gen || fs->kind != MYR_T_BLOCK) {
			heap_pop(b); /* gone, or another NF in the slot: not ours to wake */
			continue;
		}
		seq = __atomic_load_n(&sw.chans[slot]->nf.tr.block.sleep_seq, __ATOMIC_RELAXED);
		if (!(seq & 1) || seq == bs->woke || dp_ring_queued(w, slot) == 0) {
			/* awake, woken already, or nothing waits any more: it ran, or runs */
			heap_pop(b);
			bs->since = 0;
			dp_ring_rouse(&b->active, slot);
			continue;
		}
		p = (const struct block_params *)&fs->params;
		until = held_back_until(bs, slot, p->timeout_tsc);
		if (unlikely(until > w->now)) {
			heap_put(b, slot, until);
			continue;
		}
		if (!budget_allows(b, w->now))
			return; /* the rest waits for the budget, in deadline order */
		heap_pop(b);
		wake(w, b, bs, slot, seq);
	}
}

static void
block_round_end(struct dp_worker *w)
{
	struct block_worker *b = w->tr[MYR_T_BLOCK];
	uint64_t errors;

	check_delivered(w, b);
	wake_due(w, b);
	if (unlikely(dp_ring_sweep(w, &b->active, block_stirred)))
		w->stats.kind[MYR_T_BLOCK][CTR_SWEEP_ROUSES]++;
	errors = b->wake_errors;
	if (b->waker != NULL) {
		waker_round_end(w, b->waker);
		errors += __atomic_load_n(&b->waker->errors, __ATOMIC_RELAXED);
	}
	if (unlikely(errors != w->stats.kind[MYR_T_BLOCK][CTR_WAKE_ERRORS]))
		w->stats.kind[MYR_T_BLOCK][CTR_WAKE_ERRORS] = errors;
}

static int
block_worker_init(struct dp_worker *w)
{
	struct block_worker *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return -ENOMEM;
	w->tr[MYR_T_BLOCK] = b;
	b->slots = calloc(sw.conf.max_nfs, sizeof(*b->slots));
	b->heap = calloc(sw.conf.max_nfs, sizeof(*b->heap));
	b->delivered = calloc(sw.conf.max_nfs, sizeof(*b->delivered));
	b->budget_cycles = rte_get_tsc_hz() / block_wake_budget;
	if (b->slots == NULL || b->heap == NULL || b->delivered == NULL ||
	    dp_ring_active_init(&b->active, true) < 0)
		return -ENOMEM;
	if (block_waker_thread) {
		b->waker = waker_start();
		if (b->waker == NULL)
			return -ENOMEM;
	}
	return 0;
}

static void
block_worker_fini(struct dp_worker *w)
{
	struct block_worker *b = w->tr[MYR_T_BLOCK];

	if (b == NULL)
		return;
	if (b->waker != NULL)
		waker_stop(b->waker);
	dp_ring_active_fini(&b->active);
	free(b->slots);
	free(b->heap);
	free(b->delivered);
	free(b);
}

const struct dp_transport dp_tr_block = {
	.kind = MYR_T_BLOCK,
	.worker_init = block_worker_init,
	.worker_fini = block_worker_fini,
	.deliver = block_deliver,
	.poll = block_poll,
	.round_end = block_round_end,
	.counters = { [CTR_WAKEUPS] = "wakeups",
		      [CTR_WAKE_ERRORS] = "wake_errors",
		      [CTR_WAKE_DEFERRED] = "wakes_deferred",
		      [CTR_WAKER_KICKS] = "waker_kicks",
		      [CTR_SWEEP_ROUSES] = "sweep_rouses" },
	.slot_counters = { [SLOT_CTR_WAKEUPS] = "wakeups", [SLOT_CTR_WASTED] = "wasted_wakeups" },
};
