/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shared-memory ABI between myriad-switch and its DPDK NFs: the channel area
 * (one channel per NF slot) and the names of the shared DPDK objects.
 *
 * Data ownership and locking
 * --------------------------
 * The switch creates one memzone (MYR_MZ_CHAN) at start: a struct myr_shm header
 * followed by max_nfs channels of chan_size bytes each. A channel holds
 *   - a switch-written cache line (struct myr_chan_sw),
 *   - an NF-written cache line (struct myr_chan_nf),
 *   - two single-producer/single-consumer rte_rings of mbuf pointers:
 *       to_nf:   the switch enqueues, the NF dequeues;
 *       from_nf: the NF enqueues, the switch dequeues.
 * One writer per cache line: the switch never writes the NF line and the NF never
 * writes the switch line, so neither side's stores bounce the other's lines.
 *
 * An mbuf belongs to whoever last dequeued it. Pointers the NF enqueues into
 * from_nf carry the NF's verdict in their low bits (mbufs are cache-line aligned,
 * so the low 6 bits of a real pointer are zero); the switch validates and strips
 * them. The NF never frees or allocates an mbuf: dropping is a verdict, so the
 * switch remains the only process (with the traffic source) that touches the pool.
 *
 * The header (struct myr_shm) and each channel's offsets are written once, before
 * the channel is handed to any NF, and never change.
 */
#ifndef MYRIAD_SHM_H
#define MYRIAD_SHM_H

#include <stdint.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MYR_SHM_MAGIC   0x3152594dU /* "MYR1" */
#define MYR_SHM_VERSION 2

/* Names of the shared DPDK objects, formatted into the caller's buffer. */
#define MYR_MZ_CHAN   "myr_chan"
#define MYR_POOL_NAME "myr_pool"
/* Virtual-wire rings of port N: the traffic source enqueues into RX, the sink
 * dequeues from TX (directions as the switch sees them). */
#define MYR_WIRE_RX_FMT "myr_w%u_rx"
#define MYR_WIRE_TX_FMT "myr_w%u_tx"
/* mbuf dynamic field (uint64_t): the switch's TSC when it handed the packet to an
 * output port, as a NIC's transmit timestamp. A sink on the virtual wire measures
 * latency up to it, so how often the sink polls does not count as latency. */
#define MYR_WIRE_TSC_FIELD "myriad_wire_tsc"

#define MYR_NAME_MAX 32 /* names of tenants, NFs, ports, incl. the NUL */

/* Verdicts an NF gives each packet it returns; carried in the pointer's low bits. */
enum myr_verdict {
	MYR_V_FORWARD = 0, /* to the next hop of the chain (or the output port) */
	MYR_V_DROP = 1,    /* drop; counted under the NF's "nf_verdict_drop" */
	MYR_V_TO_PORT = 2, /* skip the rest of the chain, go to the tenant's port */
};
#define MYR_VERDICT_MASK 0x3fULL /* bits a valid mbuf pointer never sets */

/* Transports an NF can attach with (DESIGN.md): only those built are accepted. */
enum myr_transport {
	MYR_T_POLL = 0,  /* A: busy-polling NF */
	MYR_T_BLOCK = 1, /* B: sleeping NF woken by the switch */
	MYR_T_MAX,
};

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
	uint32_t slot;      /* this channel's index, constant */
	uint32_t to_nf_off; /* offset of the to_nf ring from the channel start */
	uint32_t from_nf_off;
	uint32_t transport; /* enum myr_transport of the attached NF */
	/* B: futex word. The switch increments it (release) and FUTEX_WAKEs the NF. */
	uint32_t wake_seq;
	uint32_t pad[10];
} __attribute__((aligned(MYR_CACHE_LINE)));

/* Written by the NF; read by the switch (statistics only, never trusted). */
struct myr_chan_nf {
	uint64_t n_rx;     /* packets the NF dequeued */
	uint64_t n_tx;     /* packets the NF returned */
	uint64_t n_loops;  /* iterations of the NF's run loop */
	uint64_t n_sleeps; /* B: times the NF went to sleep */
	/*
	 * B: odd while the NF is asleep or about to sleep, even while it runs. The NF
	 * stores it, then (full fence) looks at its ring once more before sleeping; the
	 * switch enqueues, then (full fence) reads it: one of the two sees the other.
	 * The switch wakes each odd value at most once.
	 */
	uint32_t sleep_seq;
	uint32_t pad32;
	uint64_t pad[3];
} __attribute__((aligned(MYR_CACHE_LINE)));

struct myr_chan {
	struct myr_chan_sw sw;
	struct myr_chan_nf nf;
	/* the two rings follow, at sw.to_nf_off and sw.from_nf_off */
};

struct myr_shm {
	uint32_t magic;     /* MYR_SHM_MAGIC */
	uint32_t version;   /* MYR_SHM_VERSION */
	uint32_t max_nfs;   /* number of channels */
	uint32_t ring_size; /* slots in each ring (power of two) */
	uint64_t chan_size; /* bytes per channel, a multiple of MYR_CACHE_LINE */
	uint64_t chans_off; /* offset of channel 0 from this header */
} __attribute__((aligned(MYR_CACHE_LINE)));

/*
 * Switch side of a B wake-up: move the futex word, then wake the NF sleeping on it.
 * The futex is shared (no FUTEX_PRIVATE_FLAG): the NF maps the same hugepage file.
 * Measured against eventfd, pipe and semaphore in doc/wakeups.md.
 */
static inline int
myr_chan_wake(struct myr_chan *c)
{
	__atomic_fetch_add(&c->sw.wake_seq, 1, __ATOMIC_RELEASE);
	return (int)syscall(SYS_futex, &c->sw.wake_seq, FUTEX_WAKE, 1, NULL, NULL, 0);
}

static inline struct myr_chan *
myr_shm_chan(const struct myr_shm *shm, uint32_t slot)
{
	return (struct myr_chan *)((uintptr_t)shm + shm->chans_off +
				   (uint64_t)slot * shm->chan_size);
}

#endif /* MYRIAD_SHM_H */
