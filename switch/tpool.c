/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tenant packet pools (tpool.h): their memory, their free rings, and the one mempool
 * through which DPDK's frees find them.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_mempool.h>
#include <rte_memcpy.h>

#include "control/control.h"
#include "tpool.h"

#ifndef MFD_HUGE_2MB
#define MFD_HUGE_2MB (21 << 26)
#endif

#define TP_PAGE (2u << 20) /* the data's page when hugepages are free */

struct tpool **tp_pools;
static uint32_t next_id; /* where the search for a free id starts */

int
tp_init(void)
{
	tp_pools = calloc(SW_MAX_TENANTS, sizeof(*tp_pools));
	return tp_pools != NULL ? 0 : -ENOMEM;
}

void
tp_fini(void)
{
	free(tp_pools);
	tp_pools = NULL;
}

/*
 * The pool the headers name (m->pool), so that DPDK's frees put a buffer back on its
 * tenant's free ring: a mempool made by hand in private memory, with DPDK's own
 * "ring_mp_sc" ops over that ring. Not rte_mempool_create_empty: that costs a memzone
 * and a ring of its own; and not ops of our own: a mempool's ops are an index into a
 * table each process fills in its own order, and the generator, which frees the
 * ports' buffers, would read the ports' pool's index as another ops.
 */
static int
headers_pool(struct tpool *tp)
{
	struct rte_pktmbuf_pool_private *priv;
	size_t size = sizeof(struct rte_mempool) + sizeof(*priv);

	tp->mp = aligned_alloc(RTE_CACHE_LINE_SIZE, RTE_ALIGN_CEIL(size, RTE_CACHE_LINE_SIZE));
	if (tp->mp == NULL)
		return -ENOMEM;
	memset(tp->mp, 0, size);
	snprintf(tp->mp->name, sizeof(tp->mp->name), "myr_t%u", tp->id);
	tp->mp->size = tp->n;
	tp->mp->elt_size = sizeof(struct rte_mbuf);
	tp->mp->private_data_size = sizeof(*priv);
	tp->mp->pool_data = tp->free;
	STAILQ_INIT(&tp->mp->elt_list);
	STAILQ_INIT(&tp->mp->mem_list);
	priv = rte_mempool_get_priv(tp->mp);
	priv->mbuf_data_room_size = (uint16_t)tp->buf_size;
	priv->mbuf_priv_size = 0;
	/* with no cache (cache_size 0), a put goes straight to the ring; the ops' config
	 * (which only their alloc reads, and it is never called) names the pool: tp_of() */
	return rte_mempool_set_ops_byname(tp->mp, "ring_mp_sc", tp);
}

/* --- one tenant's pool --- */

/* The data object: a memfd on hugepages if there are free ones, else on small pages. */
static int
data_object(struct tpool *tp, uint32_t n)
{
	unsigned int k;

	for (k = 0; k < 2; k++) {
		bool huge = k == 0;
		size_t page = huge ? TP_PAGE : (size_t)sysconf(_SC_PAGESIZE);
		size_t len = RTE_ALIGN_CEIL((size_t)n * tp->buf_size, page);
		void *p = NULL;
		int fd =
			mem_object("myriad-tenant", len, huge ? MFD_HUGETLB | MFD_HUGE_2MB : 0, &p);

		if (fd < 0)
			continue;
		tp->fd = fd;
		tp->data = p;
		tp->data_len = len;
		tp->hugepages = huge;
		tp->n = (uint32_t)RTE_MIN(len / tp->buf_size, (size_t)0xffffff);
		return 0;
	}
	return -ENOMEM;
}

static void
destroy(struct tpool *tp)
{
	if (tp->data != NULL)
		munmap(tp->data, tp->data_len);
	if (tp->fd >= 0)
		close(tp->fd);
	if (tp_pools[tp->id] == tp)
		tp_pools[tp->id] = NULL;
	free(tp->hdrs);
	free(tp->owner);
	free(tp->free);
	free(tp->mp);
	free(tp);
}

struct tpool *
tp_create(const char *name, uint32_t n)
{
	struct tpool *tp = calloc(1, sizeof(*tp));
	uint32_t i, id, ring;

	if (tp == NULL) {
		ctl_err(-ENOMEM, "no memory for tenant %s's pool", name);
		return NULL;
	}
	tp->fd = -1;
	tp->buf_size = sw_tp_buf_size();
	snprintf(tp->name, sizeof(tp->name), "%s", name);
	for (id = 0; id < SW_MAX_TENANTS && tp_pools[(next_id + id) % SW_MAX_TENANTS] != NULL; id++)
		;
	if (id == SW_MAX_TENANTS || data_object(tp, n) < 0) {
		ctl_err(-ENOMEM,
			"cannot allocate tenant %s's packet memory (%u buffers of %u B): %s", name,
			n, tp->buf_size, id == SW_MAX_TENANTS ? "too many pools" : "out of memory");
		destroy(tp);
		return NULL;
	}
	tp->id = (next_id + id) % SW_MAX_TENANTS;
	next_id = tp->id + 1;
	ring = rte_align32pow2(tp->n + 1);
	tp->hdrs = aligned_alloc(RTE_CACHE_LINE_SIZE, (size_t)tp->n * sizeof(*tp->hdrs));
	tp->owner = calloc(tp->n, sizeof(*tp->owner));
	tp->free = aligned_alloc(RTE_CACHE_LINE_SIZE,
				 RTE_ALIGN_CEIL(rte_ring_get_memsize(ring), RTE_CACHE_LINE_SIZE));
	if (tp->hdrs == NULL || tp->owner == NULL || tp->free == NULL ||
	    rte_ring_init(tp->free, "myr_tpool", ring, RING_F_SC_DEQ) < 0 || headers_pool(tp) < 0) {
		ctl_err(-ENOMEM, "no memory for tenant %s's pool", name);
		destroy(tp);
		return NULL;
	}
	memset(tp->hdrs, 0, (size_t)tp->n * sizeof(*tp->hdrs));
	for (i = 0; i < tp->n; i++) {
		struct rte_mbuf *m = &tp->hdrs[i];

		m->buf_addr = tp->data + (size_t)i * tp->buf_size;
		m->buf_iova = RTE_BAD_IOVA; /* no device reads it: ports get a copy */
		m->buf_len = (uint16_t)tp->buf_size;
		m->data_off = RTE_PKTMBUF_HEADROOM;
		m->pool = tp->mp;
		m->nb_segs = 1;
		m->port = RTE_MBUF_PORT_INVALID;
		rte_mbuf_refcnt_set(m, 1);
		rte_ring_enqueue(tp->free, m);
	}
	tp->refs = 1;
	tp_pools[tp->id] = tp;
	if (tp->hugepages)
		LOG(INFO, "tenant %s: pool of %u buffers (%zu KB on 2 MB pages)", name, tp->n,
		    tp->data_len >> 10);
	else
		LOG(NOTICE, "tenant %s: pool of %u buffers on small pages: no free hugepage", name,
		    tp->n);
	return tp;
}

void
tp_put(struct tpool *tp)
{
	if (tp == NULL || --tp->refs > 0)
		return;
	if (tp_avail(tp) != tp->n) {
		/* a buffer may still be in use somewhere: keep the memory it points to */
		LOG(ERR, "tenant pool %s: %u of %u buffers did not come back; kept", tp->name,
		    tp->n - tp_avail(tp), tp->n);
		return;
	}
	destroy(tp);
}

void
tp_sum(struct tp_sum *s)
{
	uint32_t i;

	memset(s, 0, sizeof(*s));
	for (i = 0; tp_pools != NULL && i < SW_MAX_TENANTS; i++) {
		if (tp_pools[i] == NULL)
			continue;
		s->pools++;
		s->size += tp_pools[i]->n;
		s->avail += tp_avail(tp_pools[i]);
	}
}

uint64_t
tp_reclaim(struct tpool *tp, uint32_t slot)
{
	uint64_t n = 0;
	uint32_t i;

	for (i = 0; i < tp->n; i++) {
		if (tp->owner[i] != slot + 1)
			continue;
		tp->owner[i] = 0;
		rte_pktmbuf_free(&tp->hdrs[i]); /* the header is the switch's: no rewrite */
		n++;
	}
	return n;
}

/* --- the data path's copies --- */

uint16_t
tp_import(struct tpool *tp, struct rte_mbuf **pkts, uint16_t n, struct rte_mbuf **release,
	  uint16_t *n_release, struct rte_mbuf **nobuf, uint16_t *n_nobuf)
{
	struct rte_mbuf *fresh[SW_BURST];
	uint16_t i, k = 0, want = 0, got = 0, used = 0;
	uint32_t stashed = tp->n_stash;

	for (i = 0; i < n; i++)
		want += !tp_mine(tp, pkts[i]);
	if (likely(want == 0))
		return n;
	want = RTE_MIN(want, SW_BURST);
	while (got < want && stashed > 0)
		fresh[got++] = tp->stash[--stashed];
	__atomic_store_n(&tp->n_stash, stashed, __ATOMIC_RELAXED); /* tp_avail reads it */
	if (got < want)
		got += (uint16_t)rte_ring_sc_dequeue_burst(tp->free, (void **)fresh + got,
							   want - got, NULL);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i], *c;
		uint32_t len = m->data_len;

		if (tp_mine(tp, m)) {
			pkts[k++] = m;
			continue;
		}
		/* one segment (the ports refuse others) that fits (--max-frame sized it) */
		if (unlikely(used == got || m->nb_segs != 1 ||
			     len > tp->buf_size - RTE_PKTMBUF_HEADROOM)) {
			nobuf[(*n_nobuf)++] = m;
			continue;
		}
		c = fresh[used++];
		c->data_off = RTE_PKTMBUF_HEADROOM;
		c->data_len = (uint16_t)len;
		c->pkt_len = len;
		c->ol_flags = 0;
		c->packet_type = m->packet_type;
		c->port = m->port;
		rte_memcpy(rte_pktmbuf_mtod(c, void *), rte_pktmbuf_mtod(m, void *), len);
		release[(*n_release)++] = m;
		pkts[k++] = c;
	}
	if (unlikely(used < got))
		rte_ring_mp_enqueue_bulk(tp->free, (void **)fresh + used, got - used, NULL);
	return k;
}

void
tp_export(const struct rte_mbuf *m, struct rte_mbuf *c)
{
	/* the switch's own header: its lengths were checked when the NF returned it */
	c->data_len = m->data_len;
	c->pkt_len = m->data_len;
	c->port = m->port;
	c->packet_type = m->packet_type;
	rte_memcpy(rte_pktmbuf_mtod(c, void *), rte_pktmbuf_mtod(m, const void *), m->data_len);
}
