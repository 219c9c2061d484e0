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

static inline void
window_in(struct myr_bpf_ctx *c, const struct rte_mbuf *m)
{
	uint32_t len = rte_pktmbuf_data_len(m);
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);

	c->len = rte_pktmbuf_pkt_len(m);
	if (likely(len >= MYR_BPF_WINDOW)) {
		memcpy(c->data, d, MYR_BPF_WINDOW);
	} else {
		memcpy(c->data, d, len);
		memset(c->data + len, 0, MYR_BPF_WINDOW - len);
	}
}

static inline void
window_out(const struct myr_bpf_ctx *c, struct rte_mbuf *m)
{
	uint32_t len = RTE_MIN((uint32_t)rte_pktmbuf_data_len(m), (uint32_t)MYR_BPF_WINDOW);

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
