/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Transport block (B), data path: the same rings as poll (tr_ring.c), but the NF
 * sleeps when its ring is empty and the switch wakes it when --wake-batch packets
 * wait or the oldest has waited --wake-timeout, within the wake budget. The NF side
 * of the sleep protocol is nf/tr_block.c.
 */
#include <stdlib.h>

#include <rte_cycles.h>

#include "tr_block.h"
#include "transport.h"

enum { CTR_WAKEUPS, CTR_WAKE_ERRORS }; /* stats.kind[MYR_T_BLOCK][] */
enum { SLOT_CTR_WAKEUPS };             /* slot_stats[].kind[] */

/* The worker's view of one blocking NF. */
struct block_slot {
	uint32_t gen;        /* attachment this state belongs to */
	uint32_t woke;       /* the NF's sleep_seq we last woke; never wake it twice */
	uint64_t wait_since; /* TSC of the oldest packet a sleeping NF was not woken for */
	uint32_t aging;      /* listed in the aging FIFO */
	uint32_t pad;
};

struct block_worker {
	struct dp_ring_active active;
	struct block_slot *slots; /* [max_nfs] */
	/*
	 * Sleeping NFs with packets they were not woken for, oldest first (a FIFO of
	 * max_nfs entries; a slot is in it at most once). Only the expired head is looked
	 * at each round, so the cost follows wake-ups, not waiting NFs.
	 */
	uint32_t *aging;
	uint32_t aging_head, n_aging;
	uint64_t budget_cycles; /* TSC cycles per wake-up at the wake budget */
};

/* --wake-budget: set by control/tr_block.c before the workers start */
uint32_t block_wake_budget = 150000;

static inline struct block_slot *
block_slot(struct block_worker *b, const struct fwd_slot *fs, uint32_t slot)
{
	struct block_slot *bs = &b->slots[slot];

	if (unlikely(bs->gen != fs->gen)) {
		/* a new NF: forget the old one's sleep; a FIFO entry stays until scanned */
		bs->gen = fs->gen;
		bs->woke = 0;
		bs->wait_since = 0;
	}
	return bs;
}

static void
wake(struct dp_worker *w, struct block_slot *bs, uint32_t slot, uint32_t seq)
{
	bs->woke = seq;
	bs->wait_since = 0;
	sw.slot_stats[slot].kind[SLOT_CTR_WAKEUPS]++;
	w->stats.kind[MYR_T_BLOCK][CTR_WAKEUPS]++;
	if (block_kick(sw.chans[slot]) < 0)
		w->stats.kind[MYR_T_BLOCK][CTR_WAKE_ERRORS]++;
}

/*
 * Packets were just enqueued to a blocking NF. Wake it now if it sleeps and enough
 * wait; otherwise remember when the first one came, for the aging timeout.
 */
static uint16_t
block_deliver(struct dp_worker *w, const struct fwd_slot *fs, uint32_t slot, struct rte_mbuf **pkts,
	      uint16_t n)
{
	const struct block_params *p = (const struct block_params *)&fs->params;
	struct block_worker *b = w->tr[MYR_T_BLOCK];
	struct block_slot *bs;
	uint16_t sent;
	uint32_t seq;

	sent = dp_ring_deliver(w, &b->active, slot, fs->gen, pkts, n);
	if (sent == 0)
		return 0;
	bs = block_slot(b, fs, slot);
	/* the enqueue's tail store must be visible before we read the NF's state */
	rte_smp_mb();
	seq = __atomic_load_n(&sw.chans[slot]->nf.tr.block.sleep_seq, __ATOMIC_RELAXED);
	if (!(seq & 1) || seq == bs->woke)
		return sent; /* running, or already woken for this sleep */
	if (rte_ring_count(sw.to_nf[slot]) >= p->batch) {
		wake(w, bs, slot, seq);
	} else if (bs->wait_since == 0) {
		bs->wait_since = w->now;
		if (!bs->aging) {
			bs->aging = 1;
			b->aging[(b->aging_head + b->n_aging++) % sw.conf.max_nfs] = slot;
		}
	}
	return sent;
}

static uint32_t
block_poll(struct dp_worker *w)
{
	struct block_worker *b = w->tr[MYR_T_BLOCK];

	return dp_ring_poll(w, &b->active);
}

/*
 * Wake the sleeping NFs whose oldest waiting packet reached its timeout.
 *
 * The timeout stretches with the number of NFs waiting: waking n NFs every T costs
 * n/T wake-ups per second, and the NFs' core cannot take more than the wake budget
 * (--wake-budget, measured in doc/wakeups.md). Past it, each wake-up would only
 * delay the others; so T is at least n / budget, which keeps every waiting NF served
 * in turn and bounds its latency by n / budget instead of letting it grow without
 * limit.
 *
 * sleep_seq is read without a fence here: the enqueue it must be ordered after was
 * fenced in block_deliver, in an earlier round; a stale odd value costs at most one
 * spurious FUTEX_WAKE, which the NF's loop absorbs.
 */
static void
block_round_end(struct dp_worker *w)
{
	struct block_worker *b = w->tr[MYR_T_BLOCK];
	uint64_t spread = b->n_aging * b->budget_cycles;

	while (b->n_aging > 0) {
		uint32_t slot = b->aging[b->aging_head];
		const struct fwd_slot *fs = &w->f->slots[slot];
		struct block_slot *bs = &b->slots[slot];

		if (fs->gen == bs->gen && fs->kind == MYR_T_BLOCK && bs->wait_since != 0) {
			const struct block_params *p = (const struct block_params *)&fs->params;
			uint32_t seq = __atomic_load_n(&sw.chans[slot]->nf.tr.block.sleep_seq,
						       __ATOMIC_RELAXED);

			if ((seq & 1) && seq != bs->woke) {
				if (w->now - bs->wait_since < RTE_MAX(p->timeout_tsc, spread))
					return; /* the head is the oldest: nothing behind expired */
				wake(w, bs, slot, seq);
			}
		}
		/* woken now, awake, or gone: no longer waiting on a timeout */
		bs->wait_since = 0;
		bs->aging = 0;
		b->aging_head = (b->aging_head + 1) % sw.conf.max_nfs;
		b->n_aging--;
	}
}

static int
block_worker_init(struct dp_worker *w)
{
	struct block_worker *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return -ENOMEM;
	w->tr[MYR_T_BLOCK] = b;
	b->slots = calloc(sw.conf.max_nfs, sizeof(*b->slots));
	b->aging = calloc(sw.conf.max_nfs, sizeof(*b->aging));
	b->budget_cycles = rte_get_tsc_hz() / block_wake_budget;
	if (b->slots == NULL || b->aging == NULL || dp_ring_active_init(&b->active) < 0)
		return -ENOMEM;
	return 0;
}

static void
block_worker_fini(struct dp_worker *w)
{
	struct block_worker *b = w->tr[MYR_T_BLOCK];

	if (b == NULL)
		return;
	dp_ring_active_fini(&b->active);
	free(b->slots);
	free(b->aging);
	free(b);
}

const struct dp_transport dp_tr_block = {
	.kind = MYR_T_BLOCK,
	.worker_init = block_worker_init,
	.worker_fini = block_worker_fini,
	.deliver = block_deliver,
	.poll = block_poll,
	.round_end = block_round_end,
	.counters = { [CTR_WAKEUPS] = "wakeups", [CTR_WAKE_ERRORS] = "wake_errors" },
	.slot_counters = { [SLOT_CTR_WAKEUPS] = "wakeups" },
};
