/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What one packet can cost the switch's core in the largest program the loader
 * accepts (--bpf-max-insns): straight-line programs of N instructions of one kind,
 * checked and JIT-compiled by the switch's own loader (control/bpf.c), timed over
 * many runs on one context. The kinds: alu (add), mul, div (64-bit, the slowest the
 * JIT emits), ld (context loads), st (stores into the window, which are written
 * back), and mix (the examples' own mix: loads, xor, mul).
 * With a cost cap (--bpf-max-cost), each kind is cut to the longest program under it.
 * usage: bpf_worst [N [RUNS [MAX_COST]]]   (run it pinned: taskset -c 0 ...)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <bpf_def.h>

#include <rte_cycles.h>

#include "datapath/tr_bpf.h"
#include "test_env.h"

#define I(c, d, s, o, i) \
	((struct ebpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

static struct ebpf_insn ins[65536];

static unsigned int
build(const char *kind, unsigned int n)
{
	unsigned int i = 0;

	ins[i++] = I(EBPF_ALU64 | EBPF_MOV | BPF_K, 0, 0, 0, 1);
	ins[i++] = I(EBPF_ALU64 | EBPF_MOV | BPF_K, 2, 0, 0, 3);
	while (i < n - 2) {
		unsigned int k = i;

		if (strcmp(kind, "alu") == 0)
			ins[i] = I(EBPF_ALU64 | BPF_ADD | BPF_X, 0, 2, 0, 0);
		else if (strcmp(kind, "mul") == 0)
			ins[i] = I(EBPF_ALU64 | BPF_MUL | BPF_X, 0, 2, 0, 0);
		else if (strcmp(kind, "div") == 0)
			ins[i] = I(EBPF_ALU64 | BPF_DIV | BPF_K, 0, 0, 0, 3);
		else if (strcmp(kind, "ld") == 0)
			ins[i] = I(BPF_LDX | BPF_MEM | EBPF_DW, 2, 1, (int16_t)(8 * (k % 16)), 0);
		else if (strcmp(kind, "st") == 0)
			ins[i] = I(BPF_STX | BPF_MEM | EBPF_DW, 1, 2, (int16_t)(8 * (k % 16)), 0);
		else /* mix */
			ins[i] = k % 3 == 0 ? I(BPF_LDX | BPF_MEM | EBPF_DW, 3, 1, 8 * (k % 16), 0)
				 : k % 3 == 1 ? I(EBPF_ALU64 | BPF_XOR | BPF_X, 0, 3, 0, 0)
					      : I(EBPF_ALU64 | BPF_MUL | BPF_X, 0, 2, 0, 0);
		i++;
	}
	ins[i++] = I(EBPF_ALU64 | BPF_AND | BPF_K, 0, 0, 0, 1);
	ins[i++] = I(BPF_JMP | EBPF_EXIT, 0, 0, 0, 0);
	return i;
}

static uint8_t buf[65536 * 8 + 4096];

static double
now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

int
main(int argc, char **argv)
{
	static const char *const kinds[] = { "alu", "mul", "div", "ld", "st", "mix" };
	unsigned int n = argc > 1 ? atoi(argv[1]) : 4096, runs = argc > 2 ? atoi(argv[2]) : 20000;
	static struct myr_bpf_ctx ctx;
	unsigned int k, r;

	test_env_init(8, 64, 1024);
	bpf_max_insns = n;
	bpf_max_cost =
		argc > 3 ? (uint32_t)atoi(argv[3]) : 1u << 30; /* the cap under test, or none */
	printf("# %u-instruction programs, %u runs each (the best of 5 batches)\n", n, runs);
	printf("%-5s %6s %6s %10s %12s %12s %10s\n", "kind", "insns", "cost", "load_us",
	       "cycles/run", "ns/run", "jit_bytes");
	for (k = 0; k < RTE_DIM(kinds); k++) {
		unsigned int len = build(kinds[k], n), m = n;
		size_t sz = test_bpf_elf(buf, ins, len, "prog");
		double t0 = now_ns(), t1, best_ns = 1e30;
		uint64_t best = UINT64_MAX;
		struct bpf_prog *p = bpf_prog_load_mem(buf, sz, NULL);

		t1 = now_ns();
		/* over the cost cap: the longest program of this kind under it */
		while (p == NULL && strstr(ctl_errmsg(), "--bpf-max-cost") != NULL && m > 8) {
			m -= m / 64 + 1;
			len = build(kinds[k], m);
			sz = test_bpf_elf(buf, ins, len, "prog");
			t0 = now_ns();
			p = bpf_prog_load_mem(buf, sz, NULL);
			t1 = now_ns();
		}
		if (p == NULL) {
			printf("%-5s refused: %s\n", kinds[k], ctl_errmsg());
			continue;
		}
		/* the best of 5 batches: what the code costs, not what the machine did */
		for (unsigned int b = 0; b < 5; b++) {
			uint64_t s = rte_rdtsc();
			double sn = now_ns();

			for (r = 0; r < runs / 5; r++) {
				ctx.len = 64 + r % 64;
				p->run(&ctx);
			}
			best = RTE_MIN(best, (rte_rdtsc() - s) / (runs / 5));
			best_ns = RTE_MIN(best_ns, (now_ns() - sn) / (runs / 5));
		}
		printf("%-5s %6u %6u %10.0f %12" PRIu64 " %12.0f %10zu\n", kinds[k], p->n_insns,
		       p->cost, (t1 - t0) / 1e3, best, best_ns, p->jit_size);
		bpf_prog_free(p);
	}
	test_env_fini();
	return 0;
}
