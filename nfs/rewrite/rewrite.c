/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rewrite: an NF that modifies packets. Sets the source and/or destination MAC
 * address of every packet (what a router or a MAC-translating NF does), and can
 * decrement the IPv4 TTL, dropping packets whose TTL runs out.
 */
#include <stdio.h>
#include <string.h>

#include <rte_ether.h>

#include <myriad/nf.h>

#include "rewrite.h"

static void
on_burst(struct rte_mbuf **pkts, uint8_t *verdicts, uint16_t n, void *arg)
{
	const struct rewrite_conf *rw = arg;
	uint16_t i;

	for (i = 0; i < n; i++)
		verdicts[i] = rewrite_frame(rw, rte_pktmbuf_mtod(pkts[i], uint8_t *),
					    rte_pktmbuf_data_len(pkts[i]));
}

int
main(int argc, char **argv)
{
	struct myr_nf *nf;
	struct myr_nf_conf conf = { 0 };
	struct rewrite_conf rw = { 0 };
	struct rte_ether_addr mac;
	int i, ret;

	argc = myr_nf_parse_args(&conf, argc, argv);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--src-mac") == 0 && i + 1 < argc &&
		    myr_ether_aton(argv[i + 1], &mac) == 0) {
			memcpy(rw.src, mac.addr_bytes, 6);
			rw.set_src = 1;
			i++;
		} else if (strcmp(argv[i], "--dst-mac") == 0 && i + 1 < argc &&
			   myr_ether_aton(argv[i + 1], &mac) == 0) {
			memcpy(rw.dst, mac.addr_bytes, 6);
			rw.set_dst = 1;
			i++;
		} else if (strcmp(argv[i], "--dec-ttl") == 0) {
			rw.dec_ttl = 1;
		} else {
			fprintf(stderr,
				"usage: %s [--switch PATH] --name NAME [--tenant T] [--src-mac "
				"MAC] "
				"[--dst-mac MAC] [--dec-ttl]\n",
				argv[0]);
			return 2;
		}
	}
	nf = myr_nf_attach(&conf);
	if (nf == NULL) {
		fprintf(stderr, "rewrite: %s\n", myr_nf_last_error());
		return 1;
	}
	myr_nf_stop_on_signals(nf);
	ret = myr_nf_run(nf, on_burst, &rw);
	myr_nf_detach(nf);
	return ret < 0 ? 1 : 0;
}
