/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * myriad-switch internals shared by its two planes: the control thread (control/)
 * and the data-path lcore (datapath/). The only things they share at run time are
 * the published forwarding snapshot (struct fwd, replaced whole, RCU-style), the
 * channel area, and the counters (each block has one writer).
 */
#ifndef MYRIAD_SWITCH_H
#define MYRIAD_SWITCH_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include <myriad/shm.h>

#define SW_MAX_PORTS 32 /* RTE_MAX_ETHPORTS in Debian's build */
#define SW_MAX_MACS  64 /* MAC addresses of one tenant */
#define SW_MAX_CHAIN 16 /* NFs in one chain */
#define SW_BURST     32 /* packets per rx/dequeue call: DPDK's usual sweet spot */
#define SW_HOP_NONE  UINT32_MAX

extern int sw_logtype_ctl;
extern int sw_logtype_dp;
#define LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, sw_logtype_ctl, "myriad: " fmt "\n", ##__VA_ARGS__)

/* Named drop reasons. Every packet that enters is either sent or counted here. */
#define SW_DROP_REASONS(X)                                                           \
	X(UNKNOWN_MAC, "unknown_mac", "destination MAC of no tenant")                \
	X(RUNT, "runt", "frame shorter than an Ethernet header")                     \
	X(OVERSIZE, "oversize", "frame longer than --max-frame, or multi-segment")   \
	X(NF_DOWN, "nf_down", "next NF of the chain is not running")                 \
	X(NF_RING_FULL, "nf_ring_full", "NF's input ring full (NF too slow)")        \
	X(NF_OVER_SHARE, "nf_over_share", "NF holds its share of the packet pool")   \
	X(NF_VERDICT, "nf_verdict_drop", "NF returned the packet with verdict DROP") \
	X(NF_BAD_VERDICT, "nf_bad_verdict", "NF returned an undefined verdict")      \
	X(NF_DEAD, "nf_dead", "held or queued by an NF when it died or was removed") \
	X(PORT_TX_FULL, "port_tx_full", "output port did not accept the packet")

enum sw_drop {
#define X(id, name, help) SW_DROP_##id,
	SW_DROP_REASONS(X)
#undef X
		SW_DROP_MAX
};
extern const char *const sw_drop_names[SW_DROP_MAX];
extern const char *const sw_drop_help[SW_DROP_MAX];

/* Where a packet goes next. */
struct fwd_hop {
	uint32_t next; /* NF slot, or SW_HOP_NONE: the tenant's output port */
	uint16_t port; /* the tenant's output port */
	uint8_t down;  /* next is an NF that is not running: drop as nf_down */
	uint8_t pad;
};

struct fwd_mac {
	uint64_t key; /* MAC in the low 48 bits; FWD_MAC_EMPTY if unused */
	struct fwd_hop first;
};
#define FWD_MAC_EMPTY UINT64_MAX

/*
 * The forwarding snapshot: everything the data path reads to forward, immutable once
 * published. The control thread builds a new one and swaps sw.fwd; the old one is
 * freed after the data path has finished a round (sw_sync()).
 */
/* What the data path needs to serve the NF in one slot. */
struct fwd_slot {
	struct fwd_hop hop; /* where the packets this NF forwards go */
	uint32_t gen;       /* attachment generation; 0: no NF in the slot */
	uint8_t transport;  /* enum myr_transport */
	uint8_t pad;
	uint16_t wake_batch;   /* B: wake a sleeping NF when this many packets wait */
	uint64_t wake_timeout; /* B: ... or when the oldest has waited this long (TSC) */
};

struct fwd {
	uint32_t mac_mask;      /* mac table slots - 1 (power of two) */
	struct fwd_mac *macs;   /* open addressing, linear probing */
	struct fwd_slot *slots; /* [max_nfs] */
	bool has_default;       /* send unknown MACs to default_port */
	uint16_t default_port;
};

/* Per-port and global counters, written by the data path only. */
struct dp_stats {
	uint64_t rx[SW_MAX_PORTS];
	uint64_t tx[SW_MAX_PORTS];
	uint64_t drop[SW_DROP_MAX];
	uint64_t rounds;      /* loop iterations */
	uint64_t busy_rounds; /* iterations that moved at least one packet */
	uint64_t busy_cycles; /* TSC cycles spent in busy rounds */
	uint64_t hops;        /* packet handlings: port rx and NF returns */
	uint64_t wakeups;     /* B: sleeping NFs woken */
	uint64_t wake_errors; /* B: FUTEX_WAKE calls that failed (never expected) */
	uint64_t active_nfs;  /* NFs holding packets at the end of the last round */
} __rte_cache_aligned;

/* Per-NF-slot counters, written by the data path only. */
struct dp_slot_stats {
	uint64_t to_nf;      /* enqueued to the NF */
	uint64_t from_nf;    /* returned by the NF */
	uint64_t ring_full;  /* dropped: to_nf ring full */
	uint64_t over_share; /* dropped: the NF held its share of the pool */
	uint64_t verdict_drop;
	uint64_t bad_verdict;
	uint64_t wakeups; /* B: times the data path woke the NF */
	uint64_t pad[2];
} __rte_cache_aligned;

struct sw_conf {
	const char *socket;
	uint32_t n_wire;    /* virtual-wire ports to create */
	uint32_t wire_size; /* slots of each virtual-wire ring */
	uint32_t max_nfs;
	uint32_t ring_size;
	uint32_t pool_size;
	uint32_t max_frame;
	int default_port;    /* -1: drop unknown MACs */
	uint32_t wake_batch; /* B defaults, see struct fwd_slot */
	uint32_t wake_timeout_us;
	uint32_t wake_budget; /* B: wake-ups per second the NFs' core can take */
	int ctl_core;         /* -1: EAL's choice for control threads */
};

struct sw {
	struct sw_conf conf;
	struct rte_mempool *pool;
	struct myr_shm *shm;
	const struct rte_memzone *chan_mz;
	uint16_t n_ports;
	uint16_t ports[SW_MAX_PORTS];
	char port_names[SW_MAX_PORTS][MYR_NAME_MAX];
	int owner_off;    /* mbuf dynfield: slot+1 of the NF holding it, or 0 */
	int wire_tsc_off; /* mbuf dynfield: TSC when handed to an output port */

	struct fwd *fwd; /* published snapshot; atomic load/store */
	/*
	 * Grace periods, quiescent-state style: the control thread bumps sync_token
	 * (release) after publishing a change; the data path, between rounds, loads it
	 * (acquire) and stores it back in sync_seen (release). Reading the token is what
	 * orders the data path's next loads after the change; a bare round counter would
	 * not (a store may pass a later load).
	 */
	uint64_t sync_token __rte_cache_aligned;
	uint64_t sync_seen __rte_cache_aligned;
	volatile int dp_running; /* data path loop is live */
	volatile int quit;       /* 2: control plane stopping NFs; 1: data path stops */

	struct dp_stats dp;
	struct dp_slot_stats *slot_stats; /* [max_nfs] */
	uint64_t ctl_drop[SW_DROP_MAX];   /* drops counted by the control thread */
};

extern struct sw sw;

static inline uint32_t *
sw_owner(struct rte_mbuf *m)
{
	return RTE_MBUF_DYNFIELD(m, sw.owner_off, uint32_t *);
}

static inline uint64_t *
sw_wire_tsc(struct rte_mbuf *m)
{
	return RTE_MBUF_DYNFIELD(m, sw.wire_tsc_off, uint64_t *);
}

/* datapath/datapath.c */
int dp_main(void *arg);

/* control/sync.c: wait until the data path no longer uses what it read before */
void sw_sync(void);

/* control/control.c */
int ctl_start(void);
void ctl_join(void);

#endif /* MYRIAD_SWITCH_H */
