/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target of the switch's command interpreter: the input is a CMD payload
 * (argc, then NUL-terminated strings) as the control socket delivers it, run against
 * the real control plane and data path with no EAL (switch/test_env.h), on a registry
 * that holds a tenant with a polling and a blocking NF. After every input the registry
 * must still be consistent, and it is put back as it was.
 *
 * Run the real fuzzer (clang with libFuzzer), from the top of the tree, with the files
 * of switch_sources (switch/meson.build) and lib/ as SRCS:
 *   clang -g -O1 -fsanitize=fuzzer,address -D_GNU_SOURCE -Iinclude -Iswitch \
 *     $(pkg-config --cflags libdpdk) tests/fuzz/fuzz_cmd.c switch/test_env.c $SRCS \
 *     $(pkg-config --libs libdpdk) -lrte_net_ring \
 *     -Wl,--wrap=rte_get_tsc_hz -Wl,--wrap=clone -Wl,--wrap=rte_memzone_walk -o /tmp/fuzz_cmd &&
 *   /tmp/fuzz_cmd -max_total_time=60 /tmp/fuzz_new tests/fuzz/corpus/cmd
 * (see fuzz_proto.c for how found inputs join the corpus). Under gcc, replay.c runs it
 * over the corpus in the normal test run (test fuzz_cmd_corpus).
 */
#include <stdint.h>
#include <stdlib.h>

#include "test_env.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)              \
	do {                     \
		if (!(cond))     \
			abort(); \
	} while (0)

static void
run(const char *line)
{
	char reply[256];

	if (test_cmd(reply, sizeof(reply), line) < 0) {
		fprintf(stderr, "fuzz_cmd: '%s' failed: %s\n", line, reply);
		abort();
	}
}

/* The registry's invariants, whatever the commands did. */
static void
check(void)
{
	const struct tenant *t;
	const struct nf *nf;
	uint32_t with_slot = 0;
	unsigned int i;

	TAILQ_FOREACH (t, &tenants, next) {
		CHECK(t->n_chain <= SW_MAX_CHAIN && t->n_macs <= SW_MAX_MACS &&
		      t->port < sw.n_ports);
		for (i = 0; i < t->n_chain; i++)
			CHECK(t->chain[i]->tenant == t && !t->chain[i]->removed);
		for (i = 0; i < t->n_macs; i++) {
			struct rte_ether_addr a;

			memcpy(a.addr_bytes, t->macs[i], sizeof(a.addr_bytes));
			CHECK(!(a.addr_bytes[0] & 1));
			CHECK(dp_mac_lookup(sw.fwd, &a) != NULL);
		}
	}
	TAILQ_FOREACH (nf, &nfs, next) {
		CHECK(nf->tr != NULL && myr_transport_name(nf->kind) != NULL);
		with_slot += nf->slot >= 0;
	}
	CHECK(with_slot == nf_slots_used());
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	const char *argv[MYR_CMD_ARGS_MAX];
	struct out o = { 0 };
	int argc;

	if (!ready) {
		test_env_init(8, 64, 1024);
		ready = true;
	}
	run("tenant add t1 --mac 02:00:00:00:00:01,02:00:00:00:00:02 --port 1");
	run("nf add n1 --tenant t1");
	run("nf add n2 --tenant t1 --transport block");
	argc = myr_cmd_decode(data, size, argv, MYR_CMD_ARGS_MAX);
	if (argc > 0) {
		ctl_err_clear();
		cmd_run(argc, argv, &o);
		CHECK(o.len <= o.cap);
		free(o.buf);
	}
	check();
	test_env_reset();
	CHECK(TAILQ_EMPTY(&tenants) && TAILQ_EMPTY(&nfs) && nf_slots_used() == 0);
	return 0;
}
