/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * swap: a test NF that reorders on purpose. It holds every other packet and sends it
 * after the next one, so each pair leaves swapped. It uses the NF API's low-level
 * calls (its own loop, a packet held across bursts), and lets tests check that the
 * sink detects reordering.
 */
#include <stdio.h>

#include <myriad/nf.h>

int
main(int argc, char **argv)
{
	struct myr_nf *nf;
	struct myr_nf_conf conf = { 0 };
	struct rte_mbuf *pkts[32], *out[64], *held = NULL;

	argc = myr_nf_parse_args(&conf, argc, argv);
	if (argc != 1) {
		fprintf(stderr, "usage: %s [--switch PATH] --name NAME [--tenant T]\n", argv[0]);
		return 2;
	}
	nf = myr_nf_attach(&conf);
	if (nf == NULL) {
		fprintf(stderr, "swap: %s\n", myr_nf_last_error());
		return 1;
	}
	myr_nf_stop_on_signals(nf);
	while (myr_nf_check(nf) == 0) {
		uint16_t n = myr_nf_rx_burst(nf, pkts, 32), k = 0, sent = 0, i;

		if (n == 0) {
			myr_nf_wait(nf);
			continue;
		}
		for (i = 0; i < n; i++) {
			if (held == NULL) {
				held = pkts[i];
				continue;
			}
			out[k++] = pkts[i];
			out[k++] = held;
			held = NULL;
		}
		while (sent < k && myr_nf_check(nf) == 0)
			sent += myr_nf_tx_burst(nf, out + sent, NULL, k - sent);
	}
	/* a packet still held is taken back by the switch when we are gone */
	myr_nf_detach(nf);
	return 0;
}
