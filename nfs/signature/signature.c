/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * signature: the reference design's NF workload. Computes a signature over the first
 * 64 bytes of each packet, read-only, and forwards it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <myriad/nf.h>

#include "signature.h"

struct sig_state {
	uint64_t n_pkts;
	uint32_t acc; /* folded signatures: keeps the work observable */
};

static void
on_burst(struct rte_mbuf **pkts, uint8_t *verdicts, uint16_t n, void *arg)
{
	struct sig_state *st = arg;
	uint16_t i;

	(void)verdicts;
	for (i = 0; i < n; i++) {
		st->acc ^= signature_of(rte_pktmbuf_mtod(pkts[i], const uint8_t *),
					rte_pktmbuf_data_len(pkts[i]));
	}
	st->n_pkts += n;
}

int
main(int argc, char **argv)
{
	struct myr_nf *nf;
	struct myr_nf_conf conf = { 0 };
	struct sig_state st = { 0 };
	int ret;

	argc = myr_nf_parse_args(&conf, argc, argv);
	if (argc != 1) {
		fprintf(stderr, "usage: %s [--switch PATH] --name NAME [--tenant T]\n", argv[0]);
		return 2;
	}
	nf = myr_nf_attach(&conf);
	if (nf == NULL) {
		fprintf(stderr, "signature: %s\n", myr_nf_last_error());
		return 1;
	}
	myr_nf_stop_on_signals(nf);
	ret = myr_nf_run(nf, on_burst, &st);
	if (getenv("MYRIAD_NF_VERBOSE") != NULL)
		fprintf(stderr, "signature %s: %llu packets, signature %08x\n", myr_nf_name(nf),
			(unsigned long long)st.n_pkts, st.acc);
	myr_nf_detach(nf);
	return ret < 0 ? 1 : 0;
}
