/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * forker: a test NF that tries to outlive itself. It takes one packet, forks, and exits
 * without returning it; the child waits for the switch to take the slot back, then
 * returns the packet anyway. The NF library maps the switch's memory MADV_DONTFORK, so
 * the child has no mapping and dies trying: the switch must not see the packet twice.
 */
#include <stdio.h>
#include <unistd.h>

#include <myriad/nf.h>

int
main(int argc, char **argv)
{
	struct myr_nf_conf conf = { 0 };
	struct rte_mbuf *m;
	struct myr_nf *nf;

	argc = myr_nf_parse_args(&conf, argc, argv);
	if (argc != 1) {
		fprintf(stderr, "usage: %s [--switch PATH] --name NAME [--tenant T]\n", argv[0]);
		return 2;
	}
	nf = myr_nf_attach(&conf);
	if (nf == NULL) {
		fprintf(stderr, "forker: %s\n", myr_nf_last_error());
		return 1;
	}
	while (myr_nf_rx_burst(nf, &m, 1) == 0)
		if (myr_nf_check(nf) != 0)
			return 0;
	if (fork() != 0)
		_exit(0); /* the parent goes, holding the packet */
	sleep(2);         /* the switch has reclaimed the slot by now */
	myr_nf_tx_burst(nf, &m, NULL, 1);
	return 0;
}
