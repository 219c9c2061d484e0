/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The data path's side of a channel's two rings (include/myriad/shm.h), shared by the
 * kinds that have them (transport.h): enqueue to to_nf, dequeue from from_nf, and the
 * list of slots worth polling.
 */
#include <stdlib.h>

#include "../bufs.h"
#include "../tpool.h"
#include "transport.h"

/* poll_slot's mark for a returned packet whose lengths do not fit its buffer (no
 * verdict an NF can give: they are 8 bits at most) */
#define VERDICT_BAD_LENGTH 0x100

int
dp_ring_active_init(struct dp_ring_active *a, bool backoff)
{
	a->n = a->n_poll = a->sweep = 0;
	a->backoff = backoff;
	a->slots = calloc(sw.conf.max_nfs, sizeof(*a->slots));
	a->at = calloc(sw.conf.max_nfs, sizeof(*a->at));
	a->skip = calloc(sw.conf.max_nfs, sizeof(*a->skip));
	a->empty = calloc(sw.conf.max_nfs, sizeof(*a->empty));
	return a->slots != NULL && a->at != NULL && a->skip != NULL && a->empty != NULL ? 0
											: -ENOMEM;
}

void
dp_ring_active_fini(struct dp_ring_active *a)
{
	free(a->slots);
	free(a->at);
	free(a->skip);
	free(a->empty);
}

/* Two listed slots change places. */
static inline void
list_swap(struct dp_ring_active *a, uint32_t i, uint32_t j)
{
	uint32_t si = a->slots[i], sj = a->slots[j];

	a->slots[i] = sj;
	a->at[sj].pos = i + 1;
	a->slots[j] = si;
	a->at[si].pos = j + 1;
}

/* A slot holding packets: listed, and polled if it was not listed before. */
static inline void
active_add(struct dp_ring_active *a, uint32_t slot, uint32_t gen)
{
	bool listed = a->at[slot].pos != 0;

	if (!listed) {
		a->slots[a->n++] = slot;
		a->at[slot].pos = a->n;
		list_swap(a, a->n - 1, a->n_poll++);
	}
	if (unlikely(!listed || a->at[slot].gen != gen)) {
		a->skip[slot] = a->empty[slot] = 0; /* newly listed, or a new NF */
		a->at[slot].gen = gen;
	}
}

/* Polled to dozing: it changes places with the last polled slot (one the backwards
 * walk of dp_ring_poll has already seen). */
static inline void
active_doze(struct dp_ring_active *a, uint32_t slot)
{
	list_swap(a, a->at[slot].pos - 1, --a->n_poll);
}

void
dp_ring_rouse(struct dp_ring_active *a, uint32_t slot)
{
	uint32_t pos = a->at[slot].pos;

	if (pos > a->n_poll) {
		list_swap(a, pos - 1, a->n_poll++);
		a->skip[slot] = a->empty[slot] = 0;
	}
}

void
dp_ring_rouse_now(struct dp_ring_active *a, uint32_t slot)
{
	dp_ring_rouse(a, slot);
	a->skip[slot] = a->empty[slot] = 0;
}

static inline void
active_del(struct dp_ring_active *a, uint32_t slot)
{
	if (a->at[slot].pos <= a->n_poll)
		active_doze(a, slot);
	list_swap(a, a->at[slot].pos - 1, --a->n);
	a->at[slot].pos = 0;
}

/* An NF wrote an index no ring can have: counted, and the ring left as it was. */
static void
bad_index(struct dp_worker *w, uint32_t slot)
{
	sw.slot_stats[slot].bad_index++;
	w->stats.nf_bad_index++;
}

/* Enqueue to to_nf: the free room from the switch's producer index and the NF's
 * consumer index, checked (shm.h). The acquire orders the NF's reads of the entries
 * it consumed before this overwrites them. */
static inline uint16_t
ring_enqueue(struct dp_worker *w, uint32_t slot, const uint64_t *objs, uint16_t n)
{
	struct dp_slot *ds = &w->slots[slot];
	struct myr_ring *r = sw.to_nf[slot];
	uint32_t size = sw.conf.ring_size, prod = ds->to_prod, used, i;

	used = prod - __atomic_load_n(&r->cons, __ATOMIC_ACQUIRE);
	if (unlikely(used > size)) {
		bad_index(w, slot);
		return 0;
	}
	if (n > size - used)
		n = (uint16_t)(size - used);
	for (i = 0; i < n; i++)
		r->e[(prod + i) & (size - 1)] = objs[i];
	ds->to_prod = prod + n;
	__atomic_store_n(&r->prod, prod + n, __ATOMIC_RELEASE);
	return n;
}

/* Dequeue from from_nf, at the switch's consumer index, up to the NF's producer
 * index, checked. The entries are the NF's: bufs.h decides what they are. */
static inline uint16_t
ring_dequeue(struct dp_worker *w, uint32_t slot, uint64_t *objs, uint16_t n)
{
	struct dp_slot *ds = &w->slots[slot];
	struct myr_ring *r = sw.from_nf[slot];
	uint32_t size = sw.conf.ring_size, cons = ds->from_cons, avail, i;

	avail = __atomic_load_n(&r->prod, __ATOMIC_ACQUIRE) - cons;
	if (unlikely(avail > size)) {
		bad_index(w, slot);
		return 0;
	}
	if (n > avail)
		n = (uint16_t)avail;
	for (i = 0; i < n; i++)
		objs[i] = r->e[(cons + i) & (size - 1)];
	ds->from_cons = cons + n;
	__atomic_store_n(&r->cons, cons + n, __ATOMIC_RELEASE);
	return n;
}

uint16_t
dp_ring_deliver(struct dp_worker *w, struct dp_ring_active *a, const struct fwd_slot *fs,
		uint32_t slot, struct rte_mbuf **pkts, uint16_t n)
{
	uint64_t objs[SW_BURST];
	uint16_t sent, i;

	/*
	 * Recorded before the enqueue publishes the mbuf: from then on the NF may own it,
	 * may return it (once), and if it dies the control thread finds what it held. A
	 * tenant pool's buffer goes as a descriptor, a shared pool's as a pointer.
	 */
	if (fs->tpool != TP_NONE) {
		struct tpool *tp = tp_pools[fs->tpool];

		for (i = 0; i < n; i++)
			objs[i] = tp_give(tp, pkts[i], slot);
		sent = ring_enqueue(w, slot, objs, n);
		for (i = sent; i < n; i++)
			tp_ungive(tp, objs[i]);
	} else {
		for (i = 0; i < n; i++) {
			bufs_give(pkts[i], slot);
			objs[i] = (uintptr_t)pkts[i];
		}
		sent = ring_enqueue(w, slot, objs, n);
		for (i = sent; i < n; i++)
			bufs_ungive(pkts[i]);
	}
	if (sent > 0)
		active_add(a, slot, fs->gen);
	return sent;
}

/* What the NF returned, as the switch's mbufs with their verdicts (k of n): what is
 * not a packet this NF holds is left alone (tpool.h, bufs.h). */
static uint16_t
take_back(const struct fwd_slot *fs, uint32_t slot, const uint64_t *objs, uint16_t n,
	  struct rte_mbuf **ms, uint16_t *verdicts)
{
	uint16_t i, k = 0;
	bool bad_len;

	if (fs->tpool != TP_NONE) {
		struct tpool *tp = tp_pools[fs->tpool];

		for (i = 0; i < n; i++) {
			ms[k] = tp_take_back(tp, objs[i], slot, &bad_len);
			if (unlikely(ms[k] == NULL))
				continue;
			verdicts[k++] =
				unlikely(bad_len) ? VERDICT_BAD_LENGTH : myr_desc_verdict(objs[i]);
		}
		return k;
	}
	for (i = 0; i < n; i++) {
		void *obj = (void *)(uintptr_t)objs[i];

		ms[k] = bufs_take_back(myr_verdict_mbuf(obj), slot, &bad_len);
		if (unlikely(ms[k] == NULL))
			continue;
		verdicts[k++] = unlikely(bad_len) ? VERDICT_BAD_LENGTH : myr_verdict_of(obj);
	}
	return k;
}

static uint32_t
poll_slot(struct dp_worker *w, struct dp_ring_active *a, uint32_t slot, dp_ring_judge *dozes)
{
	const struct fwd_slot *fs = &w->f->slots[slot];
	struct rte_mbuf *ms[SW_BURST];
	uint16_t verdicts[SW_BURST];
	struct dp_slot *ds;
	uint64_t objs[SW_BURST];
	uint16_t n, i, k;

	if (unlikely(fs->gen != a->at[slot].gen)) {
		/* its NF is gone (reclaimed by the control thread) or replaced: what it held
		 * is no longer counted either */
		active_del(a, slot);
		dp_slot_state(w, fs, slot);
		return 0;
	}
	ds = dp_slot_state(w, fs, slot);
	n = ring_dequeue(w, slot, objs, SW_BURST);
	if (n == 0) {
		if (dozes != NULL && dozes(w, slot))
			active_doze(a, slot);
		return 0;
	}
	k = take_back(fs, slot, objs, n, ms, verdicts);
	if (unlikely(k < n)) {
		sw.slot_stats[slot].bad_buffer += n - k;
		w->stats.nf_bad_buffer += n - k;
	}
	if (k == 0)
		return n;
	dp_nf_returned(w, ds, slot, k);
	if (ds->held == 0)
		active_del(a, slot);
	for (i = 0; i < k; i++) {
		if (unlikely(verdicts[i] == VERDICT_BAD_LENGTH))
			dp_drop(w, ms[i], SW_DROP_NF_BAD_LENGTH);
		else
			dp_nf_verdict(w, fs, slot, ms[i], verdicts[i]);
	}
	return n;
}

/*
 * Polls that find nothing back off, for the kinds whose NFs share cores (block). Under
 * overload every NF holds packets and none sleeps, so none dozes, and each round
 * polled all of them: with 2000 NFs, ~2000 reads of a ring index the NFs' core wrote,
 * a cache miss each, for the ~20 NFs that core could have run since the last round
 * (13 % of the data path's core, perf). A slot
 * whose poll found nothing is skipped for 2^k - 1 rounds after k such polls in a row,
 * k up to DP_POLL_BACKOFF_MAX; one that returns something, that wakes from dozing
 * (dp_ring_rouse), or whose NF is woken (dp_ring_rouse_now) is polled every round
 * again. What it returned in the meantime waits in its ring at most 2^k - 1 rounds:
 * rounds are short unless the switch is loaded, and then a burst waits far longer in
 * the NFs' queues. The state is two bytes a slot, in dense arrays: a skip costs no miss.
 * A polling NF (poll) spins on a core of its own: an empty poll means only that its
 * return is a moment away, so its slot is polled every round.
 */
uint32_t
dp_ring_poll(struct dp_worker *w, struct dp_ring_active *a, dp_ring_judge *dozes)
{
	uint32_t work = 0, i;

	/* backwards: poll_slot may move the last polled entry into position i */
	for (i = a->n_poll; i-- > 0;) {
		uint32_t slot = a->slots[i], n;

		if (a->skip[slot] != 0) {
			a->skip[slot]--;
			continue;
		}
		n = poll_slot(w, a, slot, dozes);
		work += n;
		if (!a->backoff)
			continue;
		if (n != 0) {
			a->empty[slot] = 0;
		} else {
			a->skip[slot] = (uint8_t)((1u << a->empty[slot]) - 1);
			a->empty[slot] += a->empty[slot] < DP_POLL_BACKOFF_MAX;
		}
	}
	return work;
}

bool
dp_ring_sweep(struct dp_worker *w, struct dp_ring_active *a, dp_ring_judge *stirred)
{
	uint32_t dozing = a->n - a->n_poll, slot;
	const struct fwd_slot *fs;

	if (dozing == 0)
		return false;
	if (a->sweep >= dozing)
		a->sweep = 0;
	slot = a->slots[a->n_poll + a->sweep];
	fs = &w->f->slots[slot];
	if (unlikely(fs->gen != a->at[slot].gen)) {
		active_del(a, slot); /* reclaimed: as in poll_slot */
		dp_slot_state(w, fs, slot);
		return false;
	}
	if (!stirred(w, slot)) {
		a->sweep++;
		return false;
	}
	dp_ring_rouse(a, slot);
	return true;
}
