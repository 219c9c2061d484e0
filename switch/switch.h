/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * myriad-switch internals shared by its two planes: the control thread (control/)
 * and the data-path workers (datapath/). The only things they share at run time are
 * the published forwarding snapshot (struct fwd, replaced whole, RCU-style), the
 * channel area, and the counters (each block has one writer).
 */
#ifndef MYRIAD_SWITCH_H
#define MYRIAD_SWITCH_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_ring.h>

#include <myriad/names.h>
#include <myriad/shm.h>

#define SW_MAX_PORTS   32 /* RTE_MAX_ETHPORTS in Debian's build */
#define SW_MAX_MACS    64 /* MAC addresses of one tenant */
#define SW_MAX_CHAIN   16 /* NFs in one chain */
#define SW_MAX_WORKERS 1  /* data-path workers (one today; each would own a shard of slots) */
#define SW_MAX_TENANTS 65535
#define SW_BURST       32 /* packets per rx/dequeue call: DPDK's usual sweet spot */
#define SW_HOP_NONE    UINT32_MAX

/* The control plane logs; the data path never does (it counts). */
extern int sw_logtype;
#define LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, sw_logtype, "myriad: " fmt "\n", ##__VA_ARGS__)

/* Named drop reasons. Every packet that enters is either sent or counted here. */
#define SW_DROP_REASONS(X)                                                                \
	X(UNKNOWN_MAC, "unknown_mac", "destination MAC of no tenant")                     \
	X(RUNT, "runt", "frame shorter than an Ethernet header")                          \
	X(OVERSIZE, "oversize", "frame longer than --max-frame, or multi-segment")        \
	X(NF_DOWN, "nf_down", "next NF of the chain is not running")                      \
	X(NF_RING_FULL, "nf_ring_full", "NF's input ring full (NF too slow)")             \
	X(NF_OVER_SHARE, "nf_over_share", "NF holds its share of the packet pool")        \
	X(NF_VERDICT, "nf_verdict_drop", "NF returned the packet with verdict DROP")      \
	X(NF_BAD_VERDICT, "nf_bad_verdict", "NF returned an undefined verdict")           \
	X(NF_BAD_LENGTH, "nf_bad_length", "NF returned a packet longer than its buffer")  \
	X(NF_DEAD, "nf_dead", "held or queued by an NF when it died or was removed")      \
	X(TENANT_POOL_EMPTY, "tenant_pool_empty",                                         \
	  "its tenant's packet pool had no free buffer (the tenant's NFs hold them all)") \
	X(PORT_POOL_EMPTY, "port_pool_empty",                                             \
	  "no port buffer to copy the packet into on its way out")                        \
	X(PORT_TX_FULL, "port_tx_full", "output port did not accept the packet")

enum sw_drop {
#define X(id, name, help) SW_DROP_##id,
	SW_DROP_REASONS(X)
#undef X
		SW_DROP_MAX
};
extern const char *const sw_drop_names[SW_DROP_MAX];
extern const char *const sw_drop_help[SW_DROP_MAX];

/* --- the forwarding snapshot --- */

/* Where a packet goes next. */
struct fwd_hop {
	uint32_t next; /* NF slot, or SW_HOP_NONE: the tenant's output port */
	uint16_t port; /* the tenant's output port */
	uint8_t down;  /* next is an NF that is not running: drop as nf_down */
	uint8_t pad;
};

struct fwd_mac {
	uint64_t key; /* the 6 address bytes in wire order, memcpy'd; FWD_MAC_EMPTY if unused */
	struct fwd_hop first;
};
#define FWD_MAC_EMPTY UINT64_MAX

/* A MAC address as the table's key: its six bytes as they are on the wire. */
static inline uint64_t
fwd_mac_key(const uint8_t mac[MYR_MAC_ADDR_LEN])
{
	uint64_t key = 0;

	memcpy(&key, mac, MYR_MAC_ADDR_LEN);
	return key;
}

/*
 * First table slot to probe. Fibonacci hashing: the product's *top* bits depend on every
 * bit of the key (a table of 2^b slots takes the top b bits: shift = 64 - b). MACs of
 * one switch often differ only in their last byte, the key's top byte, which no bit
 * below 40 of the product depends on. The table builder and the lookup must agree:
 * this is their one copy.
 */
static inline uint32_t
fwd_mac_slot(uint64_t key, unsigned int shift)
{
	return (uint32_t)((key * 0x9e3779b97f4a7c15ULL) >> shift);
}

/* Per-NF settings of its transport, in the snapshot: their meaning is the kind's. */
union fwd_params {
	uint64_t u64[2];
};

/* What the data path needs to serve the NF in one slot. */
struct fwd_slot {
	struct fwd_hop hop; /* where the packets this NF forwards go */
	uint32_t gen;       /* attachment generation; 0: no NF in the slot */
	uint8_t kind;       /* enum myr_transport */
	uint8_t pad;
	uint16_t tpool; /* the NF's tenant pool (tpool.h), or TP_NONE: pointers, shared pool */
	union fwd_params params;
};

/*
 * The forwarding snapshot: everything the data path reads to forward, immutable once
 * published. The control thread builds a new one and swaps sw.fwd; the old one is
 * freed after the data path has finished a round (sw_sync()).
 */
struct fwd {
	uint32_t mac_mask;      /* mac table slots - 1 (power of two) */
	uint8_t mac_shift;      /* 64 - log2(mac table slots): see fwd_mac_slot() */
	struct fwd_mac *macs;   /* open addressing, linear probing */
	struct fwd_slot *slots; /* [max_nfs] */
	bool has_default;       /* send unknown MACs to default_port */
	uint16_t default_port;
};

/* --- counters --- */

#define DP_KIND_COUNTERS      5 /* a transport's own counters, per worker */
#define DP_SLOT_KIND_COUNTERS 2 /* ... and per NF slot */

/*
 * Per-port and global counters of one data-path worker, written by it alone. Readers
 * (commands, telemetry) load them relaxed and sum the workers: with one writer,
 * aligned 64-bit counters cannot tear on the CPUs DPDK runs on.
 */
struct dp_stats {
	uint64_t rx[SW_MAX_PORTS];
	uint64_t tx[SW_MAX_PORTS];
	uint64_t drop[SW_DROP_MAX];
	uint64_t rounds;        /* loop iterations */
	uint64_t busy_rounds;   /* iterations that moved at least one packet */
	uint64_t busy_cycles;   /* TSC cycles spent in busy rounds */
	uint64_t hops;          /* packet handlings: port rx and NF returns */
	uint64_t active_nfs;    /* NFs holding packets at the end of the last round */
	uint64_t nf_bad_buffer; /* returned pointers that were no packet the NF held (bufs.h) */
	uint64_t nf_bad_index;  /* impossible ring indexes written by NFs (datapath/tr_ring.c) */
	uint64_t kind[MYR_T_MAX][DP_KIND_COUNTERS]; /* named by struct dp_transport */
} __rte_cache_aligned;

/* Per-NF-slot counters, written by the worker that owns the slot. */
struct dp_slot_stats {
	uint64_t to_nf;      /* handed to the NF */
	uint64_t from_nf;    /* returned by the NF */
	uint64_t ring_full;  /* dropped: the NF could not take them */
	uint64_t over_share; /* dropped: the NF held its share of the pool */
	uint64_t verdict_drop;
	uint64_t bad_verdict;
	uint64_t bad_buffer;                  /* returned pointers that were no packet it held */
	uint64_t bad_index;                   /* impossible ring indexes it wrote */
	uint64_t kind[DP_SLOT_KIND_COUNTERS]; /* named by struct dp_transport */
} __rte_cache_aligned;

/* --- the switch --- */

struct sw_conf {
	const char *socket;
	uint32_t n_wire;    /* virtual-wire ports to create */
	uint32_t wire_size; /* slots of each virtual-wire ring */
	uint32_t max_nfs;
	uint32_t ring_size;
	uint32_t pool_size;
	uint32_t max_frame;
	int default_port;         /* -1: drop unknown MACs */
	int ctl_core;             /* -1: EAL's choice for control threads */
	const char *socket_group; /* admins' group of the control socket, or NULL: root's */
	uint32_t max_conns;       /* control connections at once (NFs hold one each) */
	uint32_t nf_uid_base;     /* spawned NFs run as this + tenant id; 0: as the switch */
	bool shared_memory;       /* --nf-memory shared: NFs map the pool, no tenant pools */
	uint32_t tenant_buffers;  /* buffers of each tenant's pool (at least) */
	rte_cpuset_t idle_cpus;   /* --idle-poll: cores kept from halting (idle.c) */
};

struct dp_worker;

struct sw {
	struct sw_conf conf;
	struct rte_mempool *pool;
	/*
	 * Each slot's channel, at a fixed place in one reservation of the switch's
	 * address space (control/mem.c): each attach maps a new memory object there, and
	 * a reclaim maps private zeroes over it, so these addresses never change and stay
	 * mapped. They and the pointers below are read-only after start.
	 */
	uint8_t *chan_base;
	size_t chan_size;
	struct myr_chan **chans;
	struct myr_ring **to_nf;
	struct myr_ring **from_nf;
	uint16_t n_ports;
	uint16_t ports[SW_MAX_PORTS];
	char port_names[SW_MAX_PORTS][MYR_NAME_MAX];
	int wire_tsc_off; /* mbuf dynfield: TSC when handed to an output port */

	struct fwd *fwd; /* published snapshot; atomic load/store */
	/*
	 * Grace periods, quiescent-state style: the control thread bumps sync_token
	 * (release) after publishing a change; each worker, between rounds, loads it
	 * (acquire) and stores it back in its sync_seen (release). Reading the token is
	 * what orders the worker's next loads after the change; a bare round counter
	 * would not (a store may pass a later load).
	 */
	uint64_t sync_token __rte_cache_aligned;
	/*
	 * quit: 0 run; 2 the control thread is stopping NFs (the data path keeps
	 * forwarding); 1 the data path stops. Atomic; set by the control thread, read
	 * relaxed by the workers (they need nothing it published with it).
	 */
	int quit;

	unsigned int n_workers;
	struct dp_worker *workers[SW_MAX_WORKERS];
	struct dp_slot_stats *slot_stats; /* [max_nfs] */
	uint64_t ctl_drop[SW_DROP_MAX];   /* drops counted by the control thread */
};

extern struct sw sw;

static inline uint64_t *
sw_wire_tsc(struct rte_mbuf *m)
{
	return RTE_MBUF_DYNFIELD(m, sw.wire_tsc_off, uint64_t *);
}

/* Bytes of a tenant pool's buffer: the headroom and the longest frame (tpool.h). */
static inline uint32_t
sw_tp_buf_size(void)
{
	return RTE_ALIGN_CEIL(RTE_PKTMBUF_HEADROOM + sw.conf.max_frame, RTE_CACHE_LINE_SIZE);
}

static inline uint64_t
sw_read(const uint64_t *counter)
{
	return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

/* switch.c: make a thread that serves the NFs real-time on their core */
void sw_thread_for_nfs(pthread_t t, const char *what);
/* --idle-poll (idle.c): parse a CPU list; start and stop the threads */
int sw_idle_parse(const char *s, rte_cpuset_t *cpus);
int sw_idle_start(void);
void sw_idle_stop(void);

/* eal_args.c: the EAL argv the switch runs with (of the argv before "--") */
char **sw_eal_args(int argc, char **argv, int *n);

/* datapath/datapath.c */
struct dp_worker *dp_worker_create(unsigned int id);
void dp_worker_destroy(struct dp_worker *w);
int dp_main(void *worker);
void dp_stats_sum(struct dp_stats *sum);
unsigned int dp_pool_avail(void); /* free buffers of the ports' pool, the workers' included */
bool dp_running(void);

/* datapath/datapath.c: wait until no worker uses what it read before */
void sw_sync(void);

/* control/control.c */
int ctl_start(void);
void ctl_join(void);

#endif /* MYRIAD_SWITCH_H */
