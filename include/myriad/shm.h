/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shared-memory ABI between myriad-switch and its DPDK NFs: the channel area
 * (one channel per NF slot) and what travels in its rings.
 *
 * Data ownership and locking
 * --------------------------
 * The switch creates one channel per NF slot, each in pages of its own of one memory
 * object; an NF is handed a descriptor for its own channel's pages and maps those
 * alone (anywhere: nothing in a channel is an address). A channel holds
 *   - a header line the switch writes before handing it out (struct myr_chan_hdr),
 *   - a switch-written cache line (struct myr_chan_sw),
 *   - an NF-written cache line (struct myr_chan_nf),
 *   - two single-producer/single-consumer rings (struct myr_ring):
 *       to_nf:   the switch enqueues, the NF dequeues;
 *       from_nf: the NF enqueues, the switch dequeues.
 * One writer per cache line: the switch never writes the NF line and the NF never
 * writes the switch line, so neither side's stores bounce the other's lines. Each
 * line has a part every transport uses and a part (the union tr) whose meaning
 * belongs to the NF's transport alone. Whatever the NF writes, the switch reads as
 * untrusted input.
 *
 * A packet belongs to whoever last dequeued it. By default (MYR_CHAN_F_DESC) the
 * entries are descriptors of buffers in the tenant's packet memory (myr_desc below):
 * the NF maps that memory and its channel, nothing else. With the switch's
 * --nf-memory shared, they are mbuf pointers into the switch's pool, which the NF maps
 * at the switch's addresses; pointers the NF enqueues into from_nf carry its verdict
 * in their low bits (mbufs are cache-line aligned, so the low 6 bits of a real pointer
 * are zero). Either way the switch validates what comes back. The NF never frees or
 * allocates a packet: dropping is a verdict.
 *
 * The NF runtime's headers are struct rte_mbuf, so an NF must be built against the
 * DPDK the switch runs: the header records that DPDK's version and the size of the
 * mbuf, and an NF built otherwise refuses to attach (the switch checks the same in
 * the registration).
 */
#ifndef MYRIAD_SHM_H
#define MYRIAD_SHM_H

#include <stddef.h>
#include <stdint.h>

#define MYR_SHM_MAGIC   0x3152594dU /* "MYR1" */
#define MYR_SHM_VERSION 4

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

/*
 * Written by the switch before the channel is handed to an NF, and constant while it
 * has one: what the NF needs to use the channel. An NF maps its own channel and
 * nothing of any other (each channel starts a page of its own).
 */
struct myr_chan_hdr {
	uint32_t magic;        /* MYR_SHM_MAGIC */
	uint32_t version;      /* MYR_SHM_VERSION */
	uint32_t dpdk_version; /* RTE_VERSION the switch was built with */
	uint16_t mbuf_size;    /* sizeof(struct rte_mbuf) in the switch */
	uint16_t flags;        /* MYR_CHAN_F_* */
	uint32_t slot;         /* the NF's slot (for messages; the switch never reads it back) */
	uint32_t ring_size;    /* entries of each ring, a power of two */
	uint32_t to_nf_off;    /* offsets of the two rings from the channel start */
	uint32_t from_nf_off;
	uint64_t chan_size; /* bytes of the channel, a multiple of the page size */
	/* MYR_CHAN_F_DESC: the tenant's packet memory, the WELCOME's second segment */
	uint32_t n_bufs;   /* buffers in it */
	uint32_t buf_size; /* bytes from one buffer to the next (headroom included) */
	uint8_t pad[16];
} __attribute__((aligned(MYR_CACHE_LINE)));

/*
 * The rings carry descriptors of buffers in the tenant's packet memory (below), not
 * mbuf pointers: the NF maps that memory and its channel, nothing else of the switch.
 * Without the flag (the switch's --trusted-nfs), the rings carry pointers into the
 * switch's packet pool, which the NF maps at the switch's addresses.
 */
#define MYR_CHAN_F_DESC 0x1

/*
 * A descriptor: buffer index (24 bits), verdict (8 bits, from_nf only), then the
 * packet's data offset and length in the buffer (16 bits each). The buffer's bytes
 * are at index x buf_size in the tenant's packet memory.
 */
static inline uint64_t
myr_desc(uint32_t idx, uint8_t verdict, uint16_t off, uint16_t len)
{
	return (idx & 0xffffffu) | (uint64_t)verdict << 24 | (uint64_t)off << 32 |
	       (uint64_t)len << 48;
}

static inline uint32_t
myr_desc_idx(uint64_t d)
{
	return (uint32_t)d & 0xffffffu;
}

static inline uint8_t
myr_desc_verdict(uint64_t d)
{
	return (uint8_t)(d >> 24);
}

static inline uint16_t
myr_desc_off(uint64_t d)
{
	return (uint16_t)(d >> 32);
}

static inline uint16_t
myr_desc_len(uint64_t d)
{
	return (uint16_t)(d >> 48);
}

/* Written by the switch; read by the NF. */
struct myr_chan_sw {
	uint32_t state; /* enum myr_chan_state; store-release by the switch */
	uint32_t pad[3];
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
			 * odd value at most once. The NF publishes what it returned before
			 * it stores an odd value (release): from then on the switch looks
			 * at its from_nf ring only now and then, until it runs again.
			 */
			uint32_t sleep_seq;
			uint32_t pad;
			uint64_t n_sleeps; /* times the NF went to sleep: statistics */
		} block;
		uint32_t raw[16];
	} tr;
} __attribute__((aligned(MYR_CACHE_LINE)));

/*
 * A single-producer/single-consumer ring of 64-bit entries: the producer's index on
 * one line, the consumer's on the next, the entries after. Indexes run free (they
 * wrap at 2^32); entry i is at i & (size - 1). The producer writes entries, then
 * store-releases prod; the consumer load-acquires prod, reads entries, then
 * store-releases cons.
 *
 * The switch keeps its own copy of the size and of the index it writes, in memory no
 * NF maps, and checks the index an NF writes on every use (0 <= prod - cons <= size),
 * as memif checks head and tail: an NF can write anything here and the switch still
 * never reads or writes outside the ring.
 */
struct myr_ring {
	uint32_t prod;
	uint8_t pad0[MYR_CACHE_LINE - 4];
	uint32_t cons;
	uint8_t pad1[MYR_CACHE_LINE - 4];
	uint64_t e[]; /* [size] */
};

static inline size_t
myr_ring_bytes(uint32_t size)
{
	return sizeof(struct myr_ring) + (size_t)size * sizeof(uint64_t);
}

struct myr_chan {
	struct myr_chan_hdr hdr;
	struct myr_chan_sw sw;
	struct myr_chan_nf nf;
	/* the two rings follow, at hdr.to_nf_off and hdr.from_nf_off */
};

/* The layout is the ABI: any change here must be deliberate (and bump the version). */
_Static_assert(sizeof(struct myr_chan_hdr) == MYR_CACHE_LINE, "header line");
_Static_assert(sizeof(struct myr_chan_sw) == MYR_CACHE_LINE, "switch line");
_Static_assert(sizeof(struct myr_chan_nf) == MYR_CACHE_LINE, "NF line");
_Static_assert(offsetof(struct myr_chan, nf) == 2 * MYR_CACHE_LINE, "one writer per line");
_Static_assert(sizeof(struct myr_chan) == 3 * MYR_CACHE_LINE, "rings start a line");
_Static_assert(offsetof(struct myr_chan_sw, tr.block.wake_seq) == 16, "futex word");
_Static_assert(offsetof(struct myr_chan_nf, tr.block.n_sleeps) == 8, "sleep count");
_Static_assert(offsetof(struct myr_ring, cons) == MYR_CACHE_LINE &&
		       offsetof(struct myr_ring, e) == 2 * MYR_CACHE_LINE,
	       "ring indexes");

/* The rings of a channel, at the offsets in its header. */
static inline struct myr_ring *
myr_chan_to_nf(const struct myr_chan *c)
{
	return (struct myr_ring *)((char *)(uintptr_t)c + c->hdr.to_nf_off);
}

static inline struct myr_ring *
myr_chan_from_nf(const struct myr_chan *c)
{
	return (struct myr_ring *)((char *)(uintptr_t)c + c->hdr.from_nf_off);
}

#endif /* MYRIAD_SHM_H */
