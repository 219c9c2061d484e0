/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One kind of NF as the data path drives it. Each kind fills one struct dp_transport
 * in its own file (tr_<kind>.c); the loop (datapath.c) calls it once per destination
 * per round (deliver) and once per round (poll, round_end), never per packet. The
 * control plane's half of a kind is struct ctl_transport (control/transport.h).
 */
#ifndef MYRIAD_DP_TRANSPORT_H
#define MYRIAD_DP_TRANSPORT_H

#include "datapath.h"

struct dp_transport {
	enum myr_transport kind;
	/* allocate and free the kind's state of a worker (w->tr[kind]); may be NULL */
	int (*worker_init)(struct dp_worker *w);
	void (*worker_fini)(struct dp_worker *w);
	/*
	 * Take up to n packets for the NF of a slot (all of them go to the same NF, fs
	 * its snapshot entry); return how many it took. The caller has counted them as
	 * held by the NF and drops the rest (nf_ring_full). A kind that hands packets on
	 * at once (an in-switch NF) returns them with dp_nf_returned()/dp_nf_verdict().
	 */
	uint16_t (*deliver)(struct dp_worker *w, const struct fwd_slot *fs, uint32_t slot,
			    struct rte_mbuf **pkts, uint16_t n);
	/* Collect what this kind's NFs returned, through dp_nf_returned() and
	 * dp_nf_verdict(); return the number of packets (NULL: nothing to poll). */
	uint32_t (*poll)(struct dp_worker *w);
	/* Once a round, after every delivery (NULL: nothing to do). */
	void (*round_end)(struct dp_worker *w);
	/* Names of this kind's counters: stats.kind[kind][i] and slot_stats[s].kind[i]
	 * (NULL: unused). They appear under these names in stats and nf list. */
	const char *counters[DP_KIND_COUNTERS];
	const char *slot_counters[DP_SLOT_KIND_COUNTERS];
};

extern const struct dp_transport dp_tr_poll;
extern const struct dp_transport dp_tr_block;
extern const struct dp_transport dp_tr_bpf;

/* The table of a kind (NULL: not built). Adding a transport: its table in the list
 * in datapath.c. */
const struct dp_transport *dp_transport(enum myr_transport kind);

/*
 * The kinds whose NFs share a channel's two rings with the switch (tr_ring.c): poll,
 * block, and later the NIC-queue kind. Each keeps its own list of the slots that hold
 * packets: an NF never creates a packet, so only those are worth polling, and the
 * work per round follows active NFs, not attached ones.
 *
 * A listed slot is polled, or dozing: its NF said it sleeps and every packet it
 * returned before that was taken, so nothing can come back from it until it runs
 * again (a kind that sleeps says when, through the callbacks below). With thousands of
 * blocking NFs holding packets and a few running at a time, polling them all was most
 * of the data path's time: one cache miss (and often a TLB miss) on each sleeping
 * NF's ring index, every round. The dozing part of the list is looked at one slot a
 * round (the sweep), so an NF that runs without having been woken, or lies about its
 * sleep, is found all the same, later.
 */
struct dp_ring_active {
	uint32_t *slots; /* listed slots: [0, n_poll) polled, [n_poll, n) dozing */
	uint32_t n, n_poll;
	uint32_t sweep; /* the next dozing position the sweep looks at, from n_poll */
	/*
	 * Whether polls that find nothing back off (dp_ring_poll), and per slot, dense:
	 * the rounds its poll is still skipped, and the polls in a row that found
	 * nothing.
	 */
	bool backoff;
	uint8_t *skip, *empty;
	struct {
		uint32_t gen; /* the attachment it was listed for */
		uint32_t pos; /* position in slots + 1; 0: not listed */
	} * at;               /* [max_nfs] */
};

/* Polls in a row that found nothing after which a slot is skipped longest: 2^k - 1
 * rounds (dp_ring_poll) */
#define DP_POLL_BACKOFF_MAX 3

/* A kind's say about one of its listed slots (the worker's, the slot). */
typedef bool dp_ring_judge(struct dp_worker *w, uint32_t slot);

int dp_ring_active_init(struct dp_ring_active *a, bool backoff);
void dp_ring_active_fini(struct dp_ring_active *a);
/* Tag and enqueue packets to a slot's to_nf ring, list it (polled, if it was not
 * listed; a dozing slot stays so: the kind rouses it when its NF is to run). */
uint16_t dp_ring_deliver(struct dp_worker *w, struct dp_ring_active *a, const struct fwd_slot *fs,
			 uint32_t slot, struct rte_mbuf **pkts, uint16_t n);
/* Dequeue what the polled NFs returned; unlist those that hold nothing any more. A
 * slot that returned nothing dozes if dozes (NULL: never) says its NF sleeps. */
uint32_t dp_ring_poll(struct dp_worker *w, struct dp_ring_active *a, dp_ring_judge *dozes);
/* Poll a listed slot again from the next round (its NF was woken, or seen running). */
void dp_ring_rouse(struct dp_ring_active *a, uint32_t slot);
/* ... and at once, however long its polls had been finding nothing (it was woken) */
void dp_ring_rouse_now(struct dp_ring_active *a, uint32_t slot);
/* Look at the next dozing slot: unlist it if its NF is gone, rouse it if stirred says
 * the NF moved. @return true if it was roused. */
bool dp_ring_sweep(struct dp_worker *w, struct dp_ring_active *a, dp_ring_judge *stirred);

/* Entries in a slot's from_nf ring not yet taken, as far as the switch can tell (an
 * impossible index counts as some: the next poll of the slot reports it). */
static inline uint32_t
dp_ring_returned(const struct dp_worker *w, uint32_t slot)
{
	return __atomic_load_n(&sw.from_nf[slot]->prod, __ATOMIC_ACQUIRE) -
	       w->slots[slot].from_cons;
}

/* Entries in a slot's to_nf ring: what the switch enqueued less what the NF says it
 * took, unchecked (more than the ring holds if the NF wrote an impossible index). */
static inline uint32_t
dp_ring_used(const struct dp_worker *w, uint32_t slot)
{
	return w->slots[slot].to_prod - __atomic_load_n(&sw.to_nf[slot]->cons, __ATOMIC_RELAXED);
}

/*
 * Packets in a slot's to_nf ring as far as the switch can tell. An NF that says it
 * took more than was there, or less than nothing, gets a full ring (its wake-ups are
 * then wasted ones, tr_block.c).
 */
static inline uint32_t
dp_ring_queued(const struct dp_worker *w, uint32_t slot)
{
	uint32_t q = dp_ring_used(w, slot);

	return likely(q <= sw.conf.ring_size) ? q : sw.conf.ring_size;
}

#endif /* MYRIAD_DP_TRANSPORT_H */
