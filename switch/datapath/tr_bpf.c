/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Transport bpf, data path: an in-switch NF is a checked, JIT-compiled eBPF program
 * (control/bpf.c) that this worker runs itself. No ring, no process, no wake-up: the
 * packets a round gathered for the NF run through its program back to back (one
 * program, hot in the cache, over a burst), and their verdicts send them on at once,
 * so the next in-switch hop of the chain runs in the same round (flush_all() picks up
 * destinations listed while it walks).
 *
 * The program never sees an mbuf: it gets its NF's context, into which each frame's
 * first bytes are copied (zeros after the frame's end, so nothing of an earlier,
 * longer packet shows through), and what it wrote there is copied back.
 */
#include <rte_mbuf.h>

#include "tr_bpf.h"
#include "transport.h"

typedef uint8_t v32 __attribute__((vector_size(32)));

/* 128 bytes of ones, then 128 of zeros: from 128 - len on, the mask of a window of len */
static const uint8_t keep[2 * MYR_BPF_WINDOW] = {
	[0 ... MYR_BPF_WINDOW - 1] = 0xff,
};

/*
 * Fixed-size copies, which the compiler turns into a few vector moves (a copy of len
 * bytes would be a call to memcpy and memset): the window is read whole from the
 * buffer, which has room for it, and the bytes past the frame are masked to zero.
 */
static inline void
window_in(struct myr_bpf_ctx *c, const struct rte_mbuf *m)
{
	uint32_t len = rte_pktmbuf_data_len(m);
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	unsigned int k;

	c->len = rte_pktmbuf_pkt_len(m);
	if (likely(len >= MYR_BPF_WINDOW)) {
		memcpy(c->data, d, MYR_BPF_WINDOW);
	} else if (likely(m->data_off + MYR_BPF_WINDOW <= m->buf_len)) {
		const uint8_t *mask = keep + MYR_BPF_WINDOW - len;

		for (k = 0; k < MYR_BPF_WINDOW; k += sizeof(v32)) {
			v32 v, mk;

			memcpy(&v, d + k, sizeof(v));
			memcpy(&mk, mask + k, sizeof(mk));
			v &= mk;
			memcpy(c->data + k, &v, sizeof(v));
		}
	} else {
		memcpy(c->data, d, len);
		memset(c->data + len, 0, MYR_BPF_WINDOW - len);
	}
}

/* What the program wrote, back into the frame. Past the frame's end the buffer holds
 * no packet: writing the whole window there (a fixed-size copy) is harmless. */
static inline void
window_out(const struct myr_bpf_ctx *c, struct rte_mbuf *m)
{
	uint32_t len = rte_pktmbuf_data_len(m);

	if (likely(len >= MYR_BPF_WINDOW || m->data_off + MYR_BPF_WINDOW <= m->buf_len))
		memcpy(rte_pktmbuf_mtod(m, uint8_t *), c->data, MYR_BPF_WINDOW);
	else
		memcpy(rte_pktmbuf_mtod(m, uint8_t *), c->data, len);
}

static uint16_t
bpf_deliver(struct dp_worker *w, const struct fwd_slot *fs, uint32_t slot, struct rte_mbuf **pkts,
	    uint16_t n)
{
	const struct bpf_params *bp = (const struct bpf_params *)&fs->params;
	const struct bpf_prog *p = bp->prog;
	struct myr_bpf_ctx *c = bp->ctx;
	uint8_t v[SW_BURST];
	uint16_t i;

	for (i = 0; i < n; i++) {
		uint64_t r;

		window_in(c, pkts[i]);
		r = p->run(c);
		v[i] = r > MYR_V_TO_PORT ? UINT8_MAX : (uint8_t)r; /* UINT8_MAX: bad_verdict */
		if (p->writes && r != MYR_V_DROP)
			window_out(c, pkts[i]);
	}
	/* the caller counted them as held: they are back already */
	dp_nf_returned(w, &w->slots[slot], slot, n);
	for (i = 0; i < n; i++)
		dp_nf_verdict(w, fs, slot, pkts[i], v[i]);
	return n;
}

const struct dp_transport dp_tr_bpf = {
	.kind = MYR_T_BPF,
	.deliver = bpf_deliver,
};
