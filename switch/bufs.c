/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The switch's map of its packet buffers (bufs.h): learnt from the pool once, at start,
 * while no NF is attached and every mbuf is as DPDK initialised it.
 */
#include <errno.h>
#include <stdlib.h>

#include <rte_mempool.h>

#include "bufs.h"
#include "switch.h"

struct sw_bufs sw_bufs;

struct learn {
	uintptr_t prev;
	rte_iova_t prev_iova;
	uint32_t n_chunks, cap;
	bool failed;
};

static struct sw_buf_chunk *
chunk_new(struct learn *l)
{
	if (l->n_chunks == l->cap) {
		uint32_t cap = l->cap ? 2 * l->cap : 16;
		struct sw_buf_chunk *c = realloc(sw_bufs.chunks, cap * sizeof(*c));

		if (c == NULL) {
			l->failed = true;
			return NULL;
		}
		sw_bufs.chunks = c;
		l->cap = cap;
	}
	return &sw_bufs.chunks[l->n_chunks++];
}

/* Objects come in the order the pool was populated: a new chunk wherever the address
 * or the IO address does not follow on from the previous mbuf's. */
static void
learn_obj(struct rte_mempool *mp, void *arg, void *obj, unsigned int idx)
{
	struct learn *l = arg;
	struct rte_mbuf *m = obj;
	uintptr_t a = (uintptr_t)obj;
	rte_iova_t iova =
		m->buf_iova == RTE_BAD_IOVA ? RTE_BAD_IOVA : m->buf_iova - sw_bufs.buf_off;
	struct sw_buf_chunk *c;

	(void)mp;
	(void)idx;
	if (l->failed)
		return;
	if (m->buf_addr != (char *)m + sw_bufs.buf_off || m->buf_len != sw_bufs.buf_len) {
		l->failed = true;
		return;
	}
	c = l->n_chunks ? &sw_bufs.chunks[l->n_chunks - 1] : NULL;
	if (c == NULL || a != l->prev + sw_bufs.stride ||
	    (uint64_t)c->n * sw_bufs.stride >= UINT32_MAX - sw_bufs.stride ||
	    (iova == RTE_BAD_IOVA) != (l->prev_iova == RTE_BAD_IOVA) ||
	    (iova != RTE_BAD_IOVA && iova != l->prev_iova + sw_bufs.stride)) {
		c = chunk_new(l);
		if (c == NULL)
			return;
		c->first = a;
		c->n = 0;
		c->iova = iova;
	}
	c->n++;
	l->prev = a;
	l->prev_iova = iova;
}

static int
chunk_cmp(const void *a, const void *b)
{
	const struct sw_buf_chunk *x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

/* Sort the chunks, number the mbufs in address order, allocate the owner table. */
static int
finish(uint32_t n_chunks)
{
	uint32_t i, idx = 0;

	qsort(sw_bufs.chunks, n_chunks, sizeof(sw_bufs.chunks[0]), chunk_cmp);
	for (i = 0; i < n_chunks; i++) {
		if (i > 0 && sw_bufs.chunks[i].first <
				     sw_bufs.chunks[i - 1].first +
					     (uintptr_t)sw_bufs.chunks[i - 1].n * sw_bufs.stride)
			return -EINVAL;
		sw_bufs.chunks[i].idx = idx;
		idx += sw_bufs.chunks[i].n;
	}
	sw_bufs.n_chunks = n_chunks;
	sw_bufs.n = idx;
	sw_bufs.owner = calloc(idx ? idx : 1, sizeof(*sw_bufs.owner));
	return sw_bufs.owner != NULL ? 0 : -ENOMEM;
}

static void
layout(struct rte_mempool *mp, uint32_t stride, uint16_t buf_len, uint16_t priv_size)
{
	memset(&sw_bufs, 0, sizeof(sw_bufs));
	sw_bufs.pool = mp;
	sw_bufs.stride = stride;
	sw_bufs.buf_len = buf_len;
	sw_bufs.priv_size = priv_size;
	sw_bufs.buf_off = sizeof(struct rte_mbuf) + priv_size;
}

int
bufs_init(struct rte_mempool *mp)
{
	struct learn l = { 0 };
	int ret;

	layout(mp, mp->header_size + mp->elt_size + mp->trailer_size,
	       rte_pktmbuf_data_room_size(mp), rte_pktmbuf_priv_size(mp));
	rte_mempool_obj_iter(mp, learn_obj, &l);
	ret = l.failed ? -EINVAL : finish(l.n_chunks);
	if (ret < 0 || sw_bufs.n != mp->size) {
		LOG(ERR, "cannot map the packet pool's %u mbufs (%s)", mp->size,
		    ret == -ENOMEM ? "no memory" : "unexpected layout");
		bufs_fini();
		return ret < 0 ? ret : -EINVAL;
	}
	LOG(DEBUG, "packet pool: %u mbufs in %u chunks, stride %u B", sw_bufs.n, sw_bufs.n_chunks,
	    sw_bufs.stride);
	return 0;
}

int
bufs_init_region(struct rte_mempool *mp, void *first, uint32_t n, uint32_t stride, uint16_t buf_len,
		 uint16_t priv_size)
{
	layout(mp, stride, buf_len, priv_size);
	sw_bufs.chunks = calloc(1, sizeof(*sw_bufs.chunks));
	if (sw_bufs.chunks == NULL)
		return -ENOMEM;
	sw_bufs.chunks[0] =
		(struct sw_buf_chunk){ .first = (uintptr_t)first, .n = n, .iova = RTE_BAD_IOVA };
	return finish(1);
}

void
bufs_fini(void)
{
	free(sw_bufs.chunks);
	free(sw_bufs.owner);
	memset(&sw_bufs, 0, sizeof(sw_bufs));
}

uint64_t
bufs_reclaim(uint32_t slot)
{
	uint64_t n = 0;
	uint32_t i, k;

	for (i = 0; i < sw_bufs.n_chunks; i++) {
		const struct sw_buf_chunk *c = &sw_bufs.chunks[i];

		for (k = 0; k < c->n; k++) {
			struct rte_mbuf *m;
			bool bad_len;

			if (sw_bufs.owner[c->idx + k] != slot + 1)
				continue;
			/* whatever the NF did to it, a plain mbuf of the pool again */
			m = bufs_take_back((void *)(c->first + (uintptr_t)k * sw_bufs.stride), slot,
					   &bad_len);
			rte_pktmbuf_free(m);
			n++;
		}
	}
	return n;
}
