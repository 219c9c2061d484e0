/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Transport bpf, data path: an in-switch NF is a checked, JIT-compiled eBPF program
 * (control/bpf.c) that this worker runs itself. No ring, no process, no wake-up: the
 * packets a round gathered for the NF run through its program back to back (one
 * program, hot in the cache, over a burst), and their verdicts send them on at once,
 * so the next in-switch hop of the chain runs in the same round (flush_all() picks up
 * destinations listed while it walks).
 *
 * The program never sees an mbuf: it gets a context, into which each frame's first
 * bytes are copied (zeros after the frame's end, so nothing of an earlier, longer
 * packet shows through), and what it wrote there is copied back. The context is the
 * worker's, shared by all its in-switch NFs: of each NF only its state (a cache line)
 * is copied in for its burst and back after, and only if its program touches it. What
 * another NF left in the context is never seen: the checker showed, at load, that the
 * program touches only the part of the window and the state that is copied in, and
 * the length and the reserved word are set for every packet.
 */
#include <stdlib.h>

#include <rte_mbuf.h>

#include "tr_bpf.h"
#include "transport.h"

typedef uint8_t v32 __attribute__((vector_size(32)));

/* 128 bytes of ones, then 128 of zeros: from 128 - len on, the mask of a window of len */
static const uint8_t keep[2 * MYR_BPF_WINDOW] = {
	[0 ... MYR_BPF_WINDOW - 1] = 0xff,
};

/*
 * The part of the window the program may touch (w bytes, 32 at a time: a few vector
 * moves, where a copy of len bytes would be a call to memcpy and memset), read whole
 * from the buffer, which has room for it, with the bytes past the frame masked to
 * zero. The program was shown, at load, never to touch the window past w.
 */
static inline void
window_in(struct myr_bpf_ctx *c, const struct rte_mbuf *m, uint32_t w)
{
	uint32_t len = rte_pktmbuf_data_len(m);
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	unsigned int k;

	c->len = rte_pktmbuf_pkt_len(m);
	c->reserved = 0;
	if (likely(len >= w)) {
		for (k = 0; k < w; k += sizeof(v32))
			memcpy(c->data + k, d + k, sizeof(v32));
	} else if (likely(m->data_off + w <= m->buf_len)) {
		const uint8_t *mask = keep + MYR_BPF_WINDOW - len;

		for (k = 0; k < w; k += sizeof(v32)) {
			v32 v, mk;

			memcpy(&v, d + k, sizeof(v));
			memcpy(&mk, mask + k, sizeof(mk));
			v &= mk;
			memcpy(c->data + k, &v, sizeof(v));
		}
	} else {
		memcpy(c->data, d, len);
		memset(c->data + len, 0, w - len);
	}
}

/* What the program wrote, back into the frame. Past the frame's end the buffer holds
 * no packet: writing the whole w bytes there (fixed-size moves) is harmless. */
static inline void
window_out(const struct myr_bpf_ctx *c, struct rte_mbuf *m, uint32_t w)
{
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m);
	unsigned int k;

	if (likely(len >= w || m->data_off + w <= m->buf_len))
		for (k = 0; k < w; k += sizeof(v32))
			memcpy(d + k, c->data + k, sizeof(v32));
	else
		memcpy(d, c->data, len);
}

static uint16_t
bpf_deliver(struct dp_worker *w, const struct fwd_slot *fs, uint32_t slot, struct rte_mbuf **pkts,
	    uint16_t n)
{
	const struct bpf_params *bp = (const struct bpf_params *)&fs->params;
	const struct bpf_prog *p = bp->prog;
	struct myr_bpf_ctx *c = w->tr[MYR_T_BPF];
	uint8_t v[SW_BURST];
	uint16_t i;

	if (p->state_in)
		memcpy(c->state, bp->state, sizeof(c->state));
	for (i = 0; i < n; i++) {
		uint64_t r;

		window_in(c, pkts[i], p->window);
		r = p->run(c);
		v[i] = r > MYR_V_TO_PORT ? UINT8_MAX : (uint8_t)r; /* UINT8_MAX: bad_verdict */
		if (p->writes && r != MYR_V_DROP)
			window_out(c, pkts[i], p->window);
	}
	/* before the verdicts: the next in-switch hop runs on the same context */
	if (p->state_out)
		memcpy(bp->state, c->state, sizeof(c->state));
	/* the caller counted them as held: they are back already */
	dp_nf_returned(w, &w->slots[slot], slot, n);
	for (i = 0; i < n; i++)
		dp_nf_verdict(w, fs, slot, pkts[i], v[i]);
	return n;
}

static int
bpf_worker_init(struct dp_worker *w)
{
	struct myr_bpf_ctx *c =
		aligned_alloc(RTE_CACHE_LINE_SIZE, RTE_ALIGN_CEIL(sizeof(*c), RTE_CACHE_LINE_SIZE));

	if (c == NULL)
		return -ENOMEM;
	memset(c, 0, sizeof(*c));
	w->tr[MYR_T_BPF] = c;
	return 0;
}

static void
bpf_worker_fini(struct dp_worker *w)
{
	free(w->tr[MYR_T_BPF]);
	w->tr[MYR_T_BPF] = NULL;
}

const struct dp_transport dp_tr_bpf = {
	.kind = MYR_T_BPF,
	.worker_init = bpf_worker_init,
	.worker_fini = bpf_worker_fini,
	.deliver = bpf_deliver,
};
