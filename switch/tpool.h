/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tenant packet pools: what isolates tenants' NFs from the switch and from each other.
 *
 * A tenant whose chain has a process NF (poll, block) gets a pool of its own. Its
 * packet *data* lives in a memory object made for that tenant alone (a memfd, on a
 * hugepage when one is free), which the switch and the tenant's NFs map; the mbuf
 * *headers* live in the switch's private memory, one per buffer, and no NF ever sees
 * them. So an NF can read and write the bytes of its own tenant's packets and nothing
 * else: not another tenant's packets, not a header, not the switch's heap.
 *
 * The rings of such an NF carry descriptors (include/myriad/shm.h: buffer index, data
 * offset and length, verdict) instead of pointers. The NF runtime keeps headers of its
 * own over the same data. A descriptor coming back is believed only if its index is a
 * buffer the owner table says that NF holds, and its offset and length fit the buffer.
 *
 * A packet is copied once into the tenant's pool when it is first handed to a process
 * NF (a port's buffer goes back to the port pool at once; the chain inside the tenant
 * is zero-copy), and once out to a port buffer when it leaves by a port. A stuck
 * tenant can exhaust its own pool only (tenant_pool_empty), never the ports'.
 *
 * Buffers are freed the DPDK way (rte_pktmbuf_free): each pool's headers name a
 * mempool of its own whose ring is the pool's free ring. Allocation is by tenant
 * pool only (tp_import), from the data path.
 *
 * Writers: the worker that owns a slot (alloc, give, take back, free); the control
 * thread (create, reclaim a gone NF's buffers, destroy once nothing refers to the
 * pool). The free ring is multi-producer, single-consumer (the worker).
 */
#ifndef MYRIAD_TPOOL_H
#define MYRIAD_TPOOL_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <myriad/shm.h>

#define TP_NONE  UINT16_MAX /* a slot whose NF has no tenant pool (shared memory, in-switch) */
#define TP_STASH 32         /* buffers a pool keeps at hand for the worker (struct tpool) */

struct tpool {
	uint16_t id;       /* index in tp_pools, < SW_MAX_TENANTS (TP_NONE is not one) */
	uint32_t n;        /* buffers */
	uint32_t buf_size; /* bytes of each buffer's data (headroom included) */
	uint8_t *data;     /* the switch's mapping of the data object */
	size_t data_len;
	int fd;                 /* the data object, handed to the tenant's NFs */
	bool hugepages;         /* its data is on 2 MB pages */
	uint32_t refs;          /* the tenant, and each NF that has a slot; control thread */
	struct rte_mbuf *hdrs;  /* [n], private */
	uint32_t *owner;        /* [n]: slot + 1 of the NF that holds it; 0: the switch */
	struct rte_ring *free;  /* free headers */
	struct rte_mempool *mp; /* what the headers name as their pool (tpool.c) */
	uint64_t empty;         /* packets dropped for want of a free buffer; the worker */
	char name[MYR_NAME_MAX];
	/*
	 * The buffers the worker let go of last, which it takes first (a stack): they
	 * are still in its cache. Taken from the FIFO ring alone, each copy in cycled
	 * through all of a tenant's buffers, and with a thousand tenants the ring's head,
	 * the ring entry and the buffer's header were each a cache miss: most of the
	 * data path's time at 2000 NFs. The worker's alone; buffers in it are free
	 * (tp_avail counts them).
	 */
	uint32_t n_stash;
	struct rte_mbuf *stash[TP_STASH];
};

extern struct tpool **tp_pools; /* [SW_MAX_TENANTS]; published before any snapshot */

/* At start (isolated mode): the table of pools. 0 or -errno. */
int tp_init(void);
void tp_fini(void);
/* A new pool of n buffers (at least) for tenant name; NULL with ctl_err's message. */
struct tpool *tp_create(const char *name, uint32_t n);
/* Drop a reference; the last one destroys the pool, if every buffer came back. */
void tp_put(struct tpool *tp);
/* The pools that exist (a deleted tenant's until its NFs are gone), summed. */
struct tp_sum {
	uint32_t pools;
	uint64_t size, avail;
};
void tp_sum(struct tp_sum *s);
/* Free what the NF of a slot holds of tp. @return how many */
uint64_t tp_reclaim(struct tpool *tp, uint32_t slot);
static inline uint32_t
tp_avail(const struct tpool *tp)
{
	return rte_ring_count(tp->free) + __atomic_load_n(&tp->n_stash, __ATOMIC_RELAXED);
}

/* The pool of a tenant's buffer (m->pool is not a port's). */
static inline struct tpool *
tp_of(const struct rte_mbuf *m)
{
	return m->pool->pool_config;
}

/*
 * A buffer of tp the worker is done with, kept at hand for its next copy in. Its
 * header is the switch's alone and as a free would leave it (one segment, no external
 * buffer, a reference of one). @return false if the stash is full (free it then).
 */
static inline bool
tp_recycle(struct tpool *tp, struct rte_mbuf *m)
{
	if (unlikely(tp->n_stash == TP_STASH))
		return false;
	tp->stash[tp->n_stash] = m;
	__atomic_store_n(&tp->n_stash, tp->n_stash + 1, __ATOMIC_RELAXED);
	return true;
}

/* Is m a buffer of tp? */
static inline bool
tp_mine(const struct tpool *tp, const struct rte_mbuf *m)
{
	return (uintptr_t)m - (uintptr_t)tp->hdrs < (uintptr_t)tp->n * sizeof(*m);
}

/*
 * The packets of pkts[0..n) in tp, in place: a packet of another pool is copied into
 * a free buffer of tp and the original goes to *release (the caller frees them); one
 * that finds no free buffer goes to *nobuf. @return the packets left, in order.
 */
uint16_t tp_import(struct tpool *tp, struct rte_mbuf **pkts, uint16_t n, struct rte_mbuf **release,
		   uint16_t *n_release, struct rte_mbuf **nobuf, uint16_t *n_nobuf);

/* The descriptor of m, now held by the NF of a slot (recorded before it is published). */
static inline uint64_t
tp_give(struct tpool *tp, struct rte_mbuf *m, uint32_t slot)
{
	uint32_t i = (uint32_t)(m - tp->hdrs);

	tp->owner[i] = slot + 1;
	return myr_desc(i, 0, m->data_off, m->data_len);
}

static inline void
tp_ungive(struct tpool *tp, uint64_t desc)
{
	tp->owner[myr_desc_idx(desc)] = 0;
}

/*
 * What the NF of a slot returned, as the switch's mbuf again: NULL if the index is no
 * buffer it holds. Its data offset and length are the NF's, checked against the buffer
 * (*bad_len: they were not; the mbuf is the switch's, its packet is not to be sent).
 */
static inline struct rte_mbuf *
tp_take_back(struct tpool *tp, uint64_t desc, uint32_t slot, bool *bad_len)
{
	uint32_t i = myr_desc_idx(desc), off = myr_desc_off(desc), len = myr_desc_len(desc);
	struct rte_mbuf *m;

	if (unlikely(i >= tp->n || tp->owner[i] != slot + 1))
		return NULL;
	tp->owner[i] = 0;
	m = &tp->hdrs[i];
	*bad_len = off + len > tp->buf_size;
	if (unlikely(*bad_len))
		off = len = 0;
	m->data_off = (uint16_t)off;
	m->data_len = (uint16_t)len;
	m->pkt_len = len;
	return m;
}

/* A port's copy of a tenant's packet m, into c: a buffer of the ports' pool as
 * rte_pktmbuf_alloc leaves one. */
void tp_export(const struct rte_mbuf *m, struct rte_mbuf *c);

#endif /* MYRIAD_TPOOL_H */
