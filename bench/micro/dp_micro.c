/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The data path alone, for instruction counts (valgrind --tool=callgrind): the real
 * rounds of a worker over a fake port (switch/test_env.h), with N NFs of one kind in
 * one-NF chains, consecutive packets to different NFs (the paper's worst case); this
 * program plays the NFs, returning every packet at once. Counts are repeatable, whatever
 * else the machine does: bench/micro/dispatch.sh turns them into instructions per hop.
 * usage: dp_micro poll|block NFS ROUNDS, or dp_micro bpf NFS ROUNDS PROGRAM.o (in-switch NFs
 * run by the data path itself: their program's instructions count too)
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_env.h"

/* valgrind --instr-atstart=no: only the rounds are simulated, not the setup (whose
 * attach of 10,000 NFs would take a long time under valgrind) */
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_START_INSTRUMENTATION
#endif

static void
must(const char *line)
{
	char reply[256];

	if (test_cmd(reply, sizeof(reply), line) < 0) {
		fprintf(stderr, "dp_micro: '%s': %s\n", line, reply);
		exit(1);
	}
}

/* Kept out of line: callgrind attributes the NFs' side to it, not to the data path. */
static void __attribute__((noinline)) nfs_bounce(unsigned int n)
{
	void *objs[SW_BURST];
	unsigned int s, k, i;

	for (s = 0; s < n; s++) {
		k = test_nf_take(s, objs, SW_BURST);
		for (i = 0; i < k; i++)
			objs[i] = myr_verdict_pack(objs[i], MYR_V_FORWARD);
		test_nf_give(s, objs, k);
	}
}

int
main(int argc, char **argv)
{
	struct dp_worker *w;
	unsigned int n, rounds, r, i;
	char line[512], mac[MYR_MAC_STR_LEN];
	uint64_t t0, hops = 0;

	bool bpf = argc == 5 && strcmp(argv[1], "bpf") == 0;

	if (argc != 4 && !bpf) {
		fprintf(stderr, "usage: %s poll|block NFS ROUNDS | bpf NFS ROUNDS PROGRAM.o\n",
			argv[0]);
		return 2;
	}
	n = atoi(argv[2]);
	rounds = atoi(argv[3]);
	test_env_init(n + 1, 1024, 65535);
	w = sw.workers[0];
	/* MYRIAD_NF_MEMORY=isolated: tenant pools, descriptors, a copy in and one out */
	if (getenv("MYRIAD_NF_MEMORY") != NULL &&
	    strcmp(getenv("MYRIAD_NF_MEMORY"), "isolated") == 0) {
		sw.conf.shared_memory = false;
		sw.conf.tenant_buffers = 64;
		if (tp_init() < 0)
			return 1;
	}
	for (i = 0; i < n; i++) {
		snprintf(line, sizeof(line), "tenant add t%u --mac 02:00:00:00:%02x:%02x --port 1",
			 i, i >> 8, i & 0xff);
		must(line);
		if (bpf) {
			snprintf(line, sizeof(line), "nf add n%u --tenant t%u --bpf %s", i, i,
				 argv[4]);
			must(line);
			continue;
		}
		snprintf(line, sizeof(line), "nf add n%u --tenant t%u --transport %s", i, i,
			 argv[1]);
		must(line);
		snprintf(line, sizeof(line), "n%u", i);
		if (test_attach(line) == NULL)
			return 1;
	}
	w->f = sw.fwd;
	CALLGRIND_START_INSTRUMENTATION;
	t0 = rte_rdtsc();
	for (r = 0; r < rounds; r++) {
		/* a burst of the port's: one packet per NF, NFs in turn */
		for (i = 0; i < SW_BURST; i++) {
			unsigned int s = (r * SW_BURST + i) % n;

			snprintf(mac, sizeof(mac), "02:00:00:00:%02x:%02x", (s >> 8) & 0xff,
				 s & 0xff);
			test_port_rx(0, test_mbuf(mac, 64));
		}
		w->now = rte_rdtsc();
		hops += dp_round(w);
		if (!bpf)
			nfs_bounce(n);
		test_env.ports[1].tx_n = 0; /* the sink takes what left */
	}
	printf("kind %s nfs %u rounds %u hops %" PRIu64 " tsc_per_hop %.1f\n", argv[1], n, rounds,
	       hops, (double)(rte_rdtsc() - t0) / (double)hops);
	test_env_fini();
	return 0;
}
