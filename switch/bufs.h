/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The packet buffers as the switch knows them, in memory no NF maps: where each mbuf
 * lies, and which NF holds it. An NF returns pointers on its from_nf ring; before the
 * data path uses one as an mbuf it must be an mbuf of the pool (inside a chunk, on an
 * object boundary), held by that very NF according to the owner table (the owner tag
 * an NF could write proves nothing), and returned once. Then the header fields the
 * switch and the drivers rely on are written again from what the switch knows, so
 * that whatever the NF did to them (an external-buffer flag, a forged pool, a chain of
 * segments) is gone before the mbuf is used or freed.
 *
 * Writers: the worker that owns a slot, when it hands a packet to the slot's NF and
 * takes it back; the control thread, when it reclaims a gone NF's slot, once the data
 * path has let go of it (a grace period). Never two at once for one buffer.
 */
#ifndef MYRIAD_BUFS_H
#define MYRIAD_BUFS_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_mbuf.h>

/* A run of objects at a fixed stride, contiguous in both virtual and IO addresses. */
struct sw_buf_chunk {
	uintptr_t first; /* address of its first mbuf */
	uint32_t n;      /* mbufs */
	uint32_t idx;    /* index of the first in the owner table */
	rte_iova_t iova; /* IO address of the first mbuf, RTE_BAD_IOVA: none */
};

struct sw_bufs {
	struct sw_buf_chunk *chunks; /* sorted by address */
	uint32_t n_chunks;
	uint32_t stride;  /* bytes from one mbuf to the next in a chunk */
	uint32_t n;       /* mbufs in all */
	uint16_t buf_off; /* the buffer starts this far after its mbuf */
	uint16_t buf_len;
	uint16_t priv_size;
	struct rte_mempool *pool;
	uint32_t *owner; /* [n]: slot + 1 of the NF that holds it; 0: not an NF */
};

extern struct sw_bufs sw_bufs;

/* Learn the pool's layout (at start, before any NF). 0, or -errno and a log line. */
int bufs_init(struct rte_mempool *mp);
/* The same from a layout given by hand (the unit tests' static mbufs). */
int bufs_init_region(struct rte_mempool *mp, void *first, uint32_t n, uint32_t stride,
		     uint16_t buf_len, uint16_t priv_size);
void bufs_fini(void);
/* Free what the NF of a slot still holds; its slot is served no more. @return how many */
uint64_t bufs_reclaim(uint32_t slot);

/* The index of the mbuf at p, or UINT32_MAX if p is not the address of one. */
static inline uint32_t
bufs_index(const void *p, const struct sw_buf_chunk **chunk)
{
	const struct sw_buf_chunk *c = sw_bufs.chunks;
	uint32_t lo = 0, hi = sw_bufs.n_chunks;
	uintptr_t a = (uintptr_t)p, off;
	uint32_t k;

	/* the last chunk that starts at or before p (nearly always there is one) */
	while (hi - lo > 1) {
		uint32_t mid = (lo + hi) / 2;

		if (c[mid].first <= a)
			lo = mid;
		else
			hi = mid;
	}
	c += lo;
	off = a - c->first; /* wraps to a huge value below the chunk */
	if (unlikely(off >= (uintptr_t)c->n * sw_bufs.stride))
		return UINT32_MAX;
	k = (uint32_t)off / sw_bufs.stride;
	if (unlikely((uint32_t)off != k * sw_bufs.stride))
		return UINT32_MAX;
	*chunk = c;
	return c->idx + k;
}

/*
 * Record that the NF of a slot holds m, a packet the switch owns. Every packet comes
 * from the pool (the ports' queues and the generator allocate from it); one that did
 * not would not be recorded, and its return would count as a violation rather than
 * write outside the table.
 */
static inline void
bufs_give(struct rte_mbuf *m, uint32_t slot)
{
	const struct sw_buf_chunk *c;
	uint32_t i = bufs_index(m, &c);

	if (likely(i != UINT32_MAX))
		sw_bufs.owner[i] = slot + 1;
}

/* Undo bufs_give for a packet the NF's ring did not take. */
static inline void
bufs_ungive(struct rte_mbuf *m)
{
	const struct sw_buf_chunk *c;
	uint32_t i = bufs_index(m, &c);

	if (likely(i != UINT32_MAX))
		sw_bufs.owner[i] = 0;
}

/*
 * What the NF of a slot returned, as an mbuf the switch may use: NULL if p is not an
 * mbuf that NF holds. The mbuf is the switch's again, a single segment of the pool with
 * no flags; its lengths are the NF's, checked against its buffer (*bad_len: they were
 * not, the mbuf is the switch's but its packet is not to be sent).
 */
static inline struct rte_mbuf *
bufs_take_back(void *p, uint32_t slot, bool *bad_len)
{
	const struct sw_buf_chunk *c;
	struct rte_mbuf *m = p;
	uint32_t i = bufs_index(p, &c);
	uintptr_t off;

	if (unlikely(i == UINT32_MAX || sw_bufs.owner[i] != slot + 1))
		return NULL;
	sw_bufs.owner[i] = 0;
	off = (uintptr_t)p - c->first;
	m->buf_addr = (char *)m + sw_bufs.buf_off;
	m->buf_iova = c->iova == RTE_BAD_IOVA ? RTE_BAD_IOVA : c->iova + off + sw_bufs.buf_off;
	m->buf_len = sw_bufs.buf_len;
	m->priv_size = sw_bufs.priv_size;
	m->pool = sw_bufs.pool;
	m->next = NULL;
	m->nb_segs = 1;
	m->ol_flags = 0;
	rte_mbuf_refcnt_set(m, 1);
	*bad_len = m->data_off > m->buf_len || m->data_len > m->buf_len - m->data_off;
	if (unlikely(*bad_len)) {
		m->data_off = 0;
		m->data_len = 0;
	}
	m->pkt_len = m->data_len;
	return m;
}

#endif /* MYRIAD_BUFS_H */
