/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shared-memory ABI between myriad-switch and its DPDK NFs: the channel area
 * (one channel per NF slot) and what travels in its rings.
 *
 * Data ownership and locking
 * --------------------------
 * The switch creates one channel area at start: a struct myr_shm header followed by
 * max_nfs channels of chan_size bytes each. A channel holds
 *   - a switch-written cache line (struct myr_chan_sw),
 *   - an NF-written cache line (struct myr_chan_nf),
 *   - two single-producer/single-consumer rte_rings of mbuf pointers:
 *       to_nf:   the switch enqueues, the NF dequeues;
 *       from_nf: the NF enqueues, the switch dequeues.
 * One writer per cache line: the switch never writes the NF line and the NF never
 * writes the switch line, so neither side's stores bounce the other's lines. Each
 * line has a part every transport uses and a part (the union tr) whose meaning
 * belongs to the NF's transport alone.
 *
 * An mbuf belongs to whoever last dequeued it. Pointers the NF enqueues into
 * from_nf carry the NF's verdict in their low bits (mbufs are cache-line aligned,
 * so the low 6 bits of a real pointer are zero); the switch validates and strips
 * them. The NF never frees or allocates an mbuf: dropping is a verdict, so the
 * switch remains the only process (with the traffic source) that touches the pool.
 *
 * The header (struct myr_shm) and each channel's offsets are written once, before
 * the channel is handed to any NF, and never change.
 *
 * The layout embeds DPDK's struct rte_ring and passes struct rte_mbuf pointers, so
 * an NF must be built against the DPDK the switch runs: the header records that
 * DPDK's version and the sizes of both structs, and an NF built otherwise refuses
 * to attach (the switch checks the same in the registration).
 */
#ifndef MYRIAD_SHM_H
#define MYRIAD_SHM_H

#include <stddef.h>
#include <stdint.h>

#define MYR_SHM_MAGIC   0x3152594dU /* "MYR1" */
#define MYR_SHM_VERSION 3

#define MYR_NAME_MAX 32 /* names of tenants, NFs, ports, incl. the NUL */

/* Verdicts an NF gives each packet it returns; carried in the pointer's low bits. */
enum myr_verdict {
	MYR_V_FORWARD = 0, /* to the next hop of the chain (or the output port) */
	MYR_V_DROP = 1,    /* drop; counted under the NF's "nf_verdict_drop" */
	MYR_V_TO_PORT = 2, /* skip the rest of the chain, go to the tenant's port */
};
#define MYR_VERDICT_MASK 0x3fULL /* bits a valid mbuf pointer never sets */

/* A returned packet as it travels in from_nf: the pointer with the verdict in it. */
static inline void *
myr_verdict_pack(const void *mbuf, uint8_t verdict)
{
	return (void *)((uintptr_t)mbuf | (verdict & MYR_VERDICT_MASK));
}

static inline void *
myr_verdict_mbuf(const void *obj)
{
	return (void *)((uintptr_t)obj & ~MYR_VERDICT_MASK);
}

static inline unsigned int
myr_verdict_of(const void *obj)
{
	return (unsigned int)((uintptr_t)obj & MYR_VERDICT_MASK);
}

/* Channel states, written by the switch in myr_chan_sw.state. */
enum myr_chan_state {
	MYR_CHAN_FREE = 0,
	MYR_CHAN_RUN = 1,  /* the NF should process packets */
	MYR_CHAN_STOP = 2, /* the NF should return what it holds and exit */
};

#define MYR_CACHE_LINE 64

/* Written by the switch; read by the NF. */
struct myr_chan_sw {
	uint32_t state;     /* enum myr_chan_state; store-release by the switch */
	uint32_t to_nf_off; /* offset of the to_nf ring from the channel start, constant */
	uint32_t from_nf_off;
	uint32_t pad;
	union {
		/* block: the futex word. The switch increments it (release) and
		 * FUTEX_WAKEs the NF sleeping on it. */
		struct {
			uint32_t wake_seq;
		} block;
		uint32_t raw[12];
	} tr;
} __attribute__((aligned(MYR_CACHE_LINE)));

/* Written by the NF; read by the switch (never trusted). */
struct myr_chan_nf {
	union {
		struct {
			/*
			 * Odd while the NF is asleep or about to sleep, even while it
			 * runs. The NF stores it, then (full fence) looks at its ring once
			 * more before sleeping; the switch enqueues, then (full fence)
			 * reads it: one of the two sees the other. The switch wakes each
			 * odd value at most once.
			 */
			uint32_t sleep_seq;
			uint32_t pad;
			uint64_t n_sleeps; /* times the NF went to sleep: statistics */
		} block;
		uint32_t raw[16];
	} tr;
} __attribute__((aligned(MYR_CACHE_LINE)));

struct myr_chan {
	struct myr_chan_sw sw;
	struct myr_chan_nf nf;
	/* the two rings follow, at sw.to_nf_off and sw.from_nf_off */
};

struct myr_shm {
	uint32_t magic;         /* MYR_SHM_MAGIC */
	uint32_t version;       /* MYR_SHM_VERSION */
	uint32_t max_nfs;       /* number of channels */
	uint32_t dpdk_version;  /* RTE_VERSION the switch was built with */
	uint16_t mbuf_size;     /* sizeof(struct rte_mbuf) in the switch */
	uint16_t ring_hdr_size; /* sizeof(struct rte_ring) in the switch */
	uint32_t pad;
	uint64_t chan_size; /* bytes per channel, a multiple of MYR_CACHE_LINE */
	uint64_t chans_off; /* offset of channel 0 from this header */
} __attribute__((aligned(MYR_CACHE_LINE)));

/* The layout is the ABI: any change here must be deliberate (and bump the version). */
_Static_assert(sizeof(struct myr_chan_sw) == MYR_CACHE_LINE, "switch line");
_Static_assert(sizeof(struct myr_chan_nf) == MYR_CACHE_LINE, "NF line");
_Static_assert(offsetof(struct myr_chan, nf) == MYR_CACHE_LINE, "one writer per line");
_Static_assert(sizeof(struct myr_chan) == 2 * MYR_CACHE_LINE, "rings start a line");
_Static_assert(offsetof(struct myr_chan_sw, tr.block.wake_seq) == 16, "futex word");
_Static_assert(offsetof(struct myr_chan_nf, tr.block.n_sleeps) == 8, "sleep count");
_Static_assert(offsetof(struct myr_shm, chan_size) == 24 && sizeof(struct myr_shm) == 64, "header");

static inline struct myr_chan *
myr_shm_chan(const struct myr_shm *shm, uint32_t slot)
{
	return (struct myr_chan *)((uintptr_t)shm + shm->chans_off +
				   (uint64_t)slot * shm->chan_size);
}

/* The rings of a channel (struct rte_ring *, as void * to keep DPDK out of here). */
static inline void *
myr_chan_to_nf(const struct myr_chan *c)
{
	return (char *)(uintptr_t)c + c->sw.to_nf_off;
}

static inline void *
myr_chan_from_nf(const struct myr_chan *c)
{
	return (char *)(uintptr_t)c + c->sw.from_nf_off;
}

#endif /* MYRIAD_SHM_H */
