/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of in-switch NFs (kind bpf): hostile programs are refused with a reason
 * and change nothing; the example programs, run by the real data path over fake ports
 * (switch/test_env.h), give exactly what the process NFs' own code gives on the same
 * frames; a program sees nothing of an earlier packet; chains mix in-switch and
 * process NFs. usage: bpf_test SIGNATURE.o FIREWALL.o REWRITE.o HOSTILE_DIR
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>
#include <elf.h>
#include <bpf_def.h>

#include "../../nfs/firewall/firewall.h"
#include "../../nfs/rewrite/rewrite.h"
#include "../../nfs/signature/signature.h"
#include "../datapath/tr_bpf.h"
#include "../test_env.h"

static const char *obj_sig, *obj_fw, *obj_rw, *hostile_dir;
static struct dp_worker *w;
static char reply[1024];

static void
must(const char *line)
{
	if (test_cmd(reply, sizeof(reply), line) < 0)
		fail_msg("'%s' failed: %s", line, reply);
}

static int
setup(void **state)
{
	(void)state;
	test_env_init(1024, 64, 4096);
	w = sw.workers[0];
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	test_env_fini();
	return 0;
}

static int
reset(void **state)
{
	(void)state;
	test_env_reset();
	memset(&w->stats, 0, sizeof(w->stats));
	test_env.ports[1].tx_n = 0;
	return 0;
}

static void
round_now(void)
{
	w->f = __atomic_load_n(&sw.fwd, __ATOMIC_ACQUIRE);
	w->now = 0;
	dp_round(w);
}

/* --- hostile programs, as ELF objects made here --- */

#define I(c, d, s, o, i) \
	((struct ebpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define MOV_K(d, i)      I(EBPF_ALU64 | EBPF_MOV | BPF_K, d, 0, 0, i)
#define MOV_X(d, s)      I(EBPF_ALU64 | EBPF_MOV | BPF_X, d, s, 0, 0)
#define LDX(sz, d, s, o) I(BPF_LDX | BPF_MEM | (sz), d, s, o, 0)
#define STX(sz, d, s, o) I(BPF_STX | BPF_MEM | (sz), d, s, o, 0)
#define ST(sz, d, o, i)  I(BPF_ST | BPF_MEM | (sz), d, 0, o, i)
#define EXIT             I(BPF_JMP | EBPF_EXIT, 0, 0, 0, 0)

static uint8_t elf_buf[1 << 20];

/* The program is refused, and the reason says why. */
static void
refused(const struct ebpf_insn *ins, unsigned int n, const char *why)
{
	size_t len = test_bpf_elf(elf_buf, ins, n, "prog");
	struct bpf_prog *p;

	ctl_err_clear();
	p = bpf_prog_load_mem(elf_buf, len, NULL);
	if (p != NULL) {
		bpf_prog_free(p);
		fail_msg("a program that %s was accepted", why);
	}
	if (strstr(ctl_errmsg(), why) == NULL)
		fail_msg("refused with '%s', not for '%s'", ctl_errmsg(), why);
}

static void
accepted(const struct ebpf_insn *ins, unsigned int n)
{
	size_t len = test_bpf_elf(elf_buf, ins, n, "prog");
	struct bpf_prog *p = bpf_prog_load_mem(elf_buf, len, NULL);

	if (p == NULL)
		fail_msg("refused: %s", ctl_errmsg());
	bpf_prog_free(p);
}

static void
hostile(void **state)
{
	(void)state;
	/* the smallest good program, and its neighbours */
	accepted((struct ebpf_insn[]){ MOV_K(0, 0), EXIT }, 2);
	accepted((struct ebpf_insn[]){ ST(EBPF_DW, 10, -8, 7), LDX(EBPF_DW, 0, 10, -8), EXIT }, 3);
	accepted((struct ebpf_insn[]){ LDX(BPF_B, 0, 1, 199), EXIT }, 2);
	/* memory outside the context or the stack */
	refused((struct ebpf_insn[]){ LDX(BPF_B, 0, 1, 200), EXIT }, 2, "context offset 200");
	refused((struct ebpf_insn[]){ LDX(BPF_W, 0, 1, -4), EXIT }, 2, "context offset -4");
	refused((struct ebpf_insn[]){ ST(EBPF_DW, 1, 400, 0), MOV_K(0, 0), EXIT }, 3,
		"writes 8 bytes at context offset 400");
	refused((struct ebpf_insn[]){ ST(EBPF_DW, 10, -520, 0), MOV_K(0, 0), EXIT }, 3,
		"stack offset -520");
	refused((struct ebpf_insn[]){ ST(EBPF_DW, 10, 0, 0), MOV_K(0, 0), EXIT }, 3,
		"stack offset 0");
	/* a variable offset past the context: DPDK's validator bounds it */
	refused((struct ebpf_insn[]){ LDX(BPF_W, 2, 1, 128), MOV_X(3, 1),
				      I(EBPF_ALU64 | BPF_ADD | BPF_X, 3, 2, 0, 0),
				      LDX(BPF_B, 0, 3, 0), EXIT },
		5, "DPDK's validator refused");
	/* a variable offset DPDK can bound: masked to 0..127, then 8 bytes from 64 (up to
	 * 199: inside) and from 72 (up to 207: past the context's 200 bytes) */
	accepted((struct ebpf_insn[]){ LDX(BPF_W, 2, 1, 128),
				       I(EBPF_ALU64 | BPF_AND | BPF_K, 2, 0, 0, 127), MOV_X(3, 1),
				       I(EBPF_ALU64 | BPF_ADD | BPF_X, 3, 2, 0, 0),
				       LDX(BPF_B, 0, 3, 72), EXIT },
		 6);
	refused((struct ebpf_insn[]){ LDX(BPF_W, 2, 1, 128),
				      I(EBPF_ALU64 | BPF_AND | BPF_K, 2, 0, 0, 127), MOV_X(3, 1),
				      I(EBPF_ALU64 | BPF_ADD | BPF_X, 3, 2, 0, 0),
				      LDX(EBPF_DW, 0, 3, 72), EXIT },
		6, "DPDK's validator refused");
	/* memory through something that is no pointer */
	refused((struct ebpf_insn[]){ MOV_K(2, 4096), LDX(BPF_B, 0, 2, 0), EXIT }, 3,
		"holds no pointer");
	/* what the program did not write: registers, stack */
	refused((struct ebpf_insn[]){ MOV_X(0, 2), EXIT }, 2, "reads r2 before it is set");
	refused((struct ebpf_insn[]){ EXIT }, 1, "reads r0 before it is set");
	refused((struct ebpf_insn[]){ LDX(EBPF_DW, 0, 10, -8), EXIT }, 2,
		"reads stack bytes at offset -8 before writing them");
	refused((struct ebpf_insn[]){ ST(BPF_W, 10, -8, 0), LDX(EBPF_DW, 0, 10, -8), EXIT }, 3,
		"before writing them");
	/* written on one path only */
	refused((struct ebpf_insn[]){ LDX(BPF_B, 2, 1, 0), I(BPF_JMP | BPF_JEQ | BPF_K, 2, 0, 1, 0),
				      ST(EBPF_DW, 10, -8, 0), LDX(EBPF_DW, 0, 10, -8), EXIT },
		5, "before writing them");
	/* pointers never leave */
	refused((struct ebpf_insn[]){ STX(EBPF_DW, 1, 1, 0), MOV_K(0, 0), EXIT }, 3,
		"stores a pointer");
	refused((struct ebpf_insn[]){ MOV_X(0, 1), EXIT }, 2, "returns a pointer");
	refused((struct ebpf_insn[]){ MOV_X(0, 10), EXIT }, 2, "returns a pointer");
	refused((struct ebpf_insn[]){ MOV_X(2, 1), I(EBPF_ALU64 | BPF_RSH | BPF_K, 2, 0, 0, 3),
				      STX(EBPF_DW, 1, 2, 0), MOV_K(0, 0), EXIT },
		5, "stores a pointer");
	refused((struct ebpf_insn[]){ I(BPF_ALU | EBPF_MOV | BPF_X, 2, 1, 0, 0),
				      STX(BPF_W, 1, 2, 0), MOV_K(0, 0), EXIT },
		4, "stores a pointer");
	refused((struct ebpf_insn[]){ MOV_K(0, 0), I(BPF_JMP | BPF_JGT | BPF_K, 1, 0, 1, 4096),
				      MOV_K(0, 1), EXIT },
		4, "compares a pointer");
	refused((struct ebpf_insn[]){ MOV_K(0, 0), I(EBPF_ALU64 | BPF_ADD | BPF_K, 10, 0, 0, 8),
				      EXIT },
		3, "writes r10");
	/* helpers, maps, packet loads, atomics */
	refused((struct ebpf_insn[]){ I(BPF_JMP | EBPF_CALL, 0, 0, 0, 1), EXIT }, 2,
		"calls helper 1");
	refused((struct ebpf_insn[]){ I(BPF_LD | BPF_IMM | EBPF_DW, 1, 1, 0, 3), I(0, 0, 0, 0, 0),
				      MOV_K(0, 0), EXIT },
		4, "loads a map");
	refused((struct ebpf_insn[]){ I(BPF_LD | BPF_ABS | BPF_B, 0, 0, 0, 0), EXIT }, 2,
		"packet loads");
	refused((struct ebpf_insn[]){ ST(EBPF_DW, 10, -8, 0), MOV_K(2, 1),
				      I(BPF_STX | EBPF_XADD | EBPF_DW, 10, 2, -8, 0), MOV_K(0, 0),
				      EXIT },
		5, "atomic");
	/* control flow: loops, the end, 64-bit loads */
	refused((struct ebpf_insn[]){ MOV_K(0, 0), I(BPF_JMP | BPF_JA, 0, 0, -2, 0), EXIT }, 3,
		"loops are not allowed");
	refused((struct ebpf_insn[]){ MOV_K(0, 0), I(BPF_JMP | BPF_JA, 0, 0, 5, 0), EXIT }, 3,
		"jumps past the end");
	refused((struct ebpf_insn[]){ MOV_K(0, 0) }, 1, "past its end");
	refused((struct ebpf_insn[]){ MOV_K(2, 0), I(BPF_JMP | BPF_JEQ | BPF_K, 2, 0, 1, 0),
				      I(BPF_LD | BPF_IMM | EBPF_DW, 0, 0, 0, 3), I(0, 0, 0, 0, 0),
				      EXIT },
		5, "inside a 64-bit load");
	refused((struct ebpf_insn[]){ MOV_K(0, 1), I(EBPF_ALU64 | BPF_DIV | BPF_K, 0, 0, 0, 0),
				      EXIT },
		3, "divides by zero");
	/* immediates out of the JIT's range (fuzz_bpf's first find: it crashed the switch) */
	refused((struct ebpf_insn[]){ MOV_K(0, 1), I(EBPF_ALU64 | BPF_RSH | BPF_K, 0, 0, 0, 9216),
				      EXIT },
		3, "shifts by 9216");
	refused((struct ebpf_insn[]){ MOV_K(0, 1), I(BPF_ALU | BPF_LSH | BPF_K, 0, 0, 0, 32),
				      EXIT },
		3, "shifts by 32");
	refused((struct ebpf_insn[]){ MOV_K(0, 1), I(EBPF_ALU64 | EBPF_ARSH | BPF_K, 0, 0, 0, -1),
				      EXIT },
		3, "shifts by -1");
	refused((struct ebpf_insn[]){ MOV_K(0, 1), I(BPF_ALU | EBPF_END | EBPF_TO_BE, 0, 0, 0, 8),
				      EXIT },
		3, "swaps 8 bits");
	accepted((struct ebpf_insn[]){ MOV_K(0, 1), I(EBPF_ALU64 | BPF_RSH | BPF_K, 0, 0, 0, 63),
				       I(BPF_ALU | EBPF_END | EBPF_TO_BE, 0, 0, 0, 16), EXIT },
		 4);
	refused((struct ebpf_insn[]){ MOV_K(0, 0), I(0x06 | BPF_JEQ, 0, 0, 0, 0), EXIT }, 3,
		"32-bit jumps");
	/* the size cap */
	{
		static struct ebpf_insn big[4097];
		unsigned int i;

		for (i = 0; i < 4096; i++)
			big[i] = MOV_K(0, (int32_t)i);
		big[4096] = EXIT;
		refused(big, 4097, "more than 4096");
		big[4095] = EXIT;
		accepted(big, 4096);
		/* and the cost cap: 500 divisions cost more than 4096 additions */
		for (i = 0; i < 500; i++)
			big[i] = I(EBPF_ALU64 | BPF_DIV | BPF_K, 0, 0, 0, 3);
		big[0] = MOV_K(0, 1);
		big[500] = EXIT;
		refused(big, 501, "dearest path costs 4992");
	}
}

static void
malformed(void **state)
{
	static const struct ebpf_insn ok[] = { MOV_K(0, 0), EXIT };
	size_t len = test_bpf_elf(elf_buf, ok, 2, "prog");
	Elf64_Ehdr *eh = (Elf64_Ehdr *)elf_buf;
	static uint8_t copy[sizeof(elf_buf)];
	struct bpf_prog *p;
	size_t cut;

	(void)state;
	memcpy(copy, elf_buf, len);
	/* every truncation is refused, none crashes (run under valgrind too) */
	for (cut = 0; cut < len; cut++) {
		p = bpf_prog_load_mem(copy, cut, NULL);
		assert_null(p);
	}
	eh->e_shoff = 1 << 30;
	assert_null(bpf_prog_load_mem(elf_buf, len, NULL));
	assert_non_null(strstr(ctl_errmsg(), "malformed ELF object"));
	memcpy(elf_buf, copy, len);
	((Elf64_Shdr *)(elf_buf + eh->e_shoff))[1].sh_size = 1 << 20;
	assert_null(bpf_prog_load_mem(elf_buf, len, NULL));
	assert_non_null(strstr(ctl_errmsg(), "outside the file"));
	memcpy(elf_buf, copy, len);
	((Elf64_Shdr *)(elf_buf + eh->e_shoff))[1].sh_name = 1000;
	assert_null(bpf_prog_load_mem(elf_buf, len, NULL));
	assert_non_null(strstr(ctl_errmsg(), "no code"));
	memcpy(elf_buf, copy, len);
	eh->e_machine = 62; /* x86-64 */
	assert_null(bpf_prog_load_mem(elf_buf, len, NULL));
	assert_non_null(strstr(ctl_errmsg(), "eBPF object"));
	memcpy(elf_buf, copy, len);
	assert_null(bpf_prog_load_mem(elf_buf, len, "other"));
	assert_non_null(strstr(ctl_errmsg(), "no code section other"));
	p = bpf_prog_load_mem(copy, len, "prog");
	assert_non_null(p);
	bpf_prog_free(p);
}

/* Objects clang made from C: a helper call, a global, a loop (tests/bpf/). */
static void
hostile_objects(void **state)
{
	static const struct {
		const char *file, *why;
	} cases[] = {
		{ "extern_call.bpf.o", "refers to helper outside it" },
		{ "global.bpf.o", "outside it" },
		{ "loop.bpf.o", "loops are not allowed" },
		{ "past_frame.bpf.o", "outside its 200 bytes" },
	};
	char path[PATH_MAX];
	unsigned int i;

	(void)state;
	for (i = 0; i < RTE_DIM(cases); i++) {
		snprintf(path, sizeof(path), "%s/%s", hostile_dir, cases[i].file);
		ctl_err_clear();
		assert_null(bpf_prog_load(path, NULL));
		if (strstr(ctl_errmsg(), cases[i].why) == NULL)
			fail_msg("%s: refused with '%s', not '%s'", cases[i].file, ctl_errmsg(),
				 cases[i].why);
	}
	/* and through the command: nothing of it stays */
	must("tenant add t1 --mac 02:00:00:00:00:01 --port 1");
	snprintf(path, sizeof(path), "nf add x --tenant t1 --bpf %s/loop.bpf.o", hostile_dir);
	assert_int_equal(test_cmd(reply, sizeof(reply), path), -EINVAL);
	assert_non_null(strstr(reply, "loops are not allowed"));
	assert_null(nf_lookup("x"));
	assert_int_equal(nf_slots_used(), 0);
	assert_int_equal(test_cmd(reply, sizeof(reply), "nf add x --tenant t1 --bpf rel.o"),
			 -EINVAL);
	assert_non_null(strstr(reply, "must be absolute"));
	assert_int_equal(test_cmd(reply, sizeof(reply), "nf add x --tenant t1 --transport bpf"),
			 -EINVAL);
	assert_non_null(strstr(reply, "needs --bpf"));
}

/* --- the data path --- */

static const struct bpf_params *
params_of(const char *name)
{
	const struct nf *nf = nf_lookup(name);

	assert_non_null(nf);
	assert_int_equal(nf->state, NF_UP);
	return (const struct bpf_params *)&sw.fwd->slots[nf->slot].params;
}

static struct rte_mbuf *
frame(unsigned int i, uint16_t len, uint8_t *copy)
{
	struct rte_mbuf *m = test_mbuf("02:00:00:00:00:01", len);
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
	unsigned int k;

	/* pseudo-random bytes after the destination MAC, and now and then IPv4 with a TTL
	 * near its end, or the EtherTypes and sources the firewall below drops */
	for (k = 6; k < len; k++)
		d[k] = (uint8_t)((i * 2654435761u + k * 40503u) >> 13);
	if (i % 3 == 0) {
		d[12] = 0x08, d[13] = 0x00;
		if (len > 22)
			d[22] = (uint8_t)(i % 5);
	} else if (i % 7 == 0) {
		d[12] = 0x86, d[13] = 0xdd;
	} else if (i % 11 == 0) {
		memcpy(d + 6, "\x02\xbb\x00\x00\x00\x07", 6);
	}
	memcpy(copy, d, len);
	return m;
}

static const uint16_t sizes[] = { 14, 15, 33, 34, 35, 60, 64, 127, 128, 129, 700, 1514 };

/* Run n frames through the tenant's chain; out[k] is frame k as it left, or NULL. */
static unsigned int
run_frames(unsigned int n, uint8_t (*in)[1514], uint16_t *len, const uint8_t **out)
{
	unsigned int i, sent = 0, k = 0;

	test_env.ports[1].tx_n = 0;
	for (i = 0; i < n; i++) {
		len[i] = sizes[i % RTE_DIM(sizes)];
		test_port_rx(0, frame(i, len[i], in[i]));
		if (++sent == SW_BURST || i == n - 1) {
			round_now();
			sent = 0;
		}
	}
	/* which left, by their sequence: the bytes after the MACs identify a frame */
	for (i = 0; i < n; i++)
		out[i] = NULL;
	for (i = 0; i < test_env.ports[1].tx_n; i++) {
		const struct rte_mbuf *m = test_env.ports[1].tx[i];

		while (k < n && rte_pktmbuf_pkt_len(m) != len[k])
			k++;
		assert_true(k < n);
		out[k++] = rte_pktmbuf_mtod(m, const uint8_t *);
	}
	return test_env.ports[1].tx_n;
}

/* The eBPF examples do what the process NFs' code does, frame by frame. */
static void
examples_equal(void **state)
{
	static uint8_t in[600][1514], want[1514];
	static uint16_t len[600];
	static const uint8_t *out[600];
	const unsigned int n = 600;
	struct fw_rules fw = { 0 };
	struct rewrite_conf rw = { .set_src = 1, .set_dst = 1, .dec_ttl = 1 };
	char line[512];
	uint32_t acc = 0;
	unsigned int i, got, drops = 0;

	(void)state;
	must("tenant add t1 --mac 02:00:00:00:00:01 --port 1");

	/* signature: the same fold of the same signatures, and every frame unchanged */
	snprintf(line, sizeof(line), "nf add sig --tenant t1 --bpf %s", obj_sig);
	must(line);
	got = run_frames(n, in, len, out);
	assert_int_equal(got, n);
	for (i = 0; i < n; i++) {
		acc ^= signature_of(in[i], len[i]);
		assert_memory_equal(out[i], in[i], len[i]);
	}
	assert_int_equal(params_of("sig")->state->u32[0], acc);
	assert_int_equal(params_of("sig")->state->u64[1], n);
	/* it reads 64 bytes: only those are copied in, and nothing goes back */
	assert_int_equal(params_of("sig")->prog->window, 64);
	assert_false(params_of("sig")->prog->writes);
	must("nf del sig");

	/* firewall: EtherType 86dd, source 02:bb:00:00:00:07, longer than 700 */
	fw.n = 3;
	fw.r[0] = (struct fw_rule){ .kind = FW_ETHERTYPE, .ethertype = { 0x86, 0xdd } };
	fw.r[1] = (struct fw_rule){ .kind = FW_SRC_MAC, .mac = { 2, 0xbb, 0, 0, 0, 7 } };
	fw.r[2] = (struct fw_rule){ .kind = FW_LEN_OVER, .len = 700 };
	snprintf(line, sizeof(line),
		 "nf add fw --tenant t1 --bpf %s --bpf-args "
		 "86dd00000000000002bb00000007000000000000000000000000000000000000bc020000",
		 obj_fw);
	must(line);
	run_frames(n, in, len, out);
	for (i = 0; i < n; i++) {
		int d = fw_drops(&fw, in[i], len[i]);

		drops += d;
		if (d != (out[i] == NULL))
			fail_msg("frame %u (%u B): process firewall %s, eBPF %s", i, len[i],
				 d ? "drops" : "passes", out[i] ? "passed" : "dropped");
		if (out[i] != NULL)
			assert_memory_equal(out[i], in[i], len[i]);
	}
	assert_true(drops > 50 && drops < n - 50);
	assert_int_equal(params_of("fw")->state->u64[5], drops);
	assert_int_equal(params_of("fw")->state->u64[6], n - drops);
	must("nf del fw");

	/* rewrite: both MACs and the TTL, byte for byte (IPv4 checksums included) */
	memcpy(rw.src, "\x02\xaa\x00\x00\x00\x01", 6);
	memcpy(rw.dst, "\x02\xcc\x00\x00\x00\x02", 6);
	snprintf(line, sizeof(line),
		 "nf add rw --tenant t1 --bpf %s --bpf-args 070002aa0000000102cc00000002", obj_rw);
	must(line);
	run_frames(n, in, len, out);
	drops = 0;
	for (i = 0; i < n; i++) {
		uint8_t v;

		memcpy(want, in[i], len[i]);
		v = rewrite_frame(&rw, want, len[i]);
		drops += v == MYR_V_DROP;
		if ((v == MYR_V_DROP) != (out[i] == NULL))
			fail_msg("frame %u (%u B): process rewrite %s it, eBPF did not", i, len[i],
				 v == MYR_V_DROP ? "drops" : "forwards");
		if (out[i] != NULL)
			assert_memory_equal(out[i], want, len[i]);
	}
	assert_true(drops > 10);
	must("nf del rw");
	assert_int_equal(nf_slots_used(), 0);
}

/* Load a program of a few instructions as NF name of tenant t1. */
static void
add_prog(const char *name, const struct ebpf_insn *prog, unsigned int n)
{
	char path[] = "/tmp/myr-bpf-test-XXXXXX", line[256];
	size_t len = test_bpf_elf(elf_buf, prog, n, "prog");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, elf_buf, len), (ssize_t)len);
	close(fd);
	snprintf(line, sizeof(line), "nf add %s --tenant t1 --bpf %s", name, path);
	must(line);
	unlink(path);
}

/* A program sees zeros past its frame, never what an earlier, longer frame held. */
static void
no_earlier_bytes(void **state)
{
	/* state64[0] = data64[15] (bytes 120..127), for every packet */
	static const struct ebpf_insn prog[] = {
		LDX(EBPF_DW, 2, 1, 120),
		STX(EBPF_DW, 1, 2, 136),
		MOV_K(0, 0),
		EXIT,
	};
	struct rte_mbuf *m;

	(void)state;
	must("tenant add t1 --mac 02:00:00:00:00:01 --port 1");
	add_prog("leak", prog, RTE_DIM(prog));
	m = test_mbuf("02:00:00:00:00:01", 700);
	memset(rte_pktmbuf_mtod(m, uint8_t *) + 6, 0xee, 694);
	test_port_rx(0, m);
	round_now();
	assert_int_equal(params_of("leak")->state->u64[0], 0xeeeeeeeeeeeeeeeeULL);
	test_port_rx(0, test_mbuf("02:00:00:00:00:01", 64));
	round_now();
	assert_int_equal(params_of("leak")->state->u64[0], 0);
	assert_int_equal(test_env.ports[1].tx_n, 2);
	/* new state, the rest of it as it was set */
	must("nf set leak --bpf-args 00000000000000000102");
	assert_int_equal(params_of("leak")->state->u64[1], 0x0201);
	test_port_rx(0, test_mbuf("02:00:00:00:00:01", 64));
	round_now();
	assert_int_equal(params_of("leak")->state->u64[1], 0x0201);
	assert_int_equal(test_env.ports[1].tx_n, 3);
}

/*
 * The NFs of a worker run on one context: what one leaves in it (its state, the
 * reserved word, its window) is never what the next sees.
 */
static void
shared_context(void **state)
{
	/* x: the reserved word, state64[1] and the window's byte 100 set */
	static const struct ebpf_insn x[] = {
		ST(BPF_W, 1, 132, 0xdead),
		ST(EBPF_DW, 1, 144, 7),
		ST(BPF_B, 1, 100, 0x5a),
		MOV_K(0, 0),
		EXIT,
	};
	/* y: reads the reserved word into state64[0], bytes 96..103 into state64[2] */
	static const struct ebpf_insn y[] = {
		LDX(BPF_W, 2, 1, 132),
		STX(EBPF_DW, 1, 2, 136),
		LDX(EBPF_DW, 2, 1, 96),
		STX(EBPF_DW, 1, 2, 152),
		MOV_K(0, 0),
		EXIT,
	};
	/* z: reads only the first bytes of the window and touches no state */
	static const struct ebpf_insn z[] = {
		LDX(BPF_B, 0, 1, 0),
		I(EBPF_ALU64 | BPF_AND | BPF_K, 0, 0, 0, 0),
		EXIT,
	};
	unsigned int i;

	(void)state;
	must("tenant add t1 --mac 02:00:00:00:00:01 --port 1");
	add_prog("x", x, RTE_DIM(x));
	add_prog("z", z, RTE_DIM(z));
	add_prog("y", y, RTE_DIM(y));
	assert_true(params_of("x")->prog->state_out);
	assert_true(params_of("x")->prog->state_in);
	assert_false(params_of("y")->prog->writes);
	assert_false(params_of("z")->prog->state_in);
	assert_int_equal(params_of("z")->prog->window, 32);
	for (i = 0; i < 3; i++)
		test_port_rx(0, test_mbuf("02:00:00:00:00:01", i == 1 ? 64 : 200));
	round_now();
	assert_int_equal(test_env.ports[1].tx_n, 3);
	/* x's byte 100 went into its frame (200 B), so y read it there, but not in the 64-B
	 * frame, where byte 100 is past the end (and x's write was not written back) */
	assert_int_equal(params_of("x")->state->u64[1], 7);
	assert_int_equal(params_of("y")->state->u64[0], 0);
	assert_int_equal(params_of("y")->state->u64[1], 0);
	assert_int_equal(params_of("y")->state->u64[2] >> 32 & 0xff, 0x5a);
	test_port_rx(0, test_mbuf("02:00:00:00:00:01", 64));
	round_now();
	assert_int_equal(params_of("y")->state->u64[2], 0);
	assert_int_equal(params_of("x")->state->u64[0], 0);
}

/* bpf -> poll (this test plays it) -> bpf, and the counters of each hop. */
static void
mixed_chain(void **state)
{
	char line[512];
	struct nf *p;
	unsigned int i, k;
	void *objs[SW_BURST];

	(void)state;
	must("tenant add t1 --mac 02:00:00:00:00:01 --port 1");
	snprintf(line, sizeof(line), "nf add a --tenant t1 --bpf %s", obj_sig);
	must(line);
	/* the same code twice: one program, held by both NFs */
	snprintf(line, sizeof(line), "nf add a2 --tenant t1 --bpf %s", obj_sig);
	must(line);
	assert_int_equal(bpf_progs_loaded(), 1);
	assert_ptr_equal(params_of("a")->prog, params_of("a2")->prog);
	assert_ptr_not_equal(params_of("a")->state, params_of("a2")->state);
	must("nf del a2");
	assert_int_equal(bpf_progs_loaded(), 1);
	must("nf add p --tenant t1");
	snprintf(line, sizeof(line), "nf add b --tenant t1 --bpf %s --bpf-args 010002aa00000001",
		 obj_rw);
	must(line);
	p = test_attach("p");
	assert_non_null(p);
	/* 25 a round: a round takes all a port has (up to 8 bursts), and p's ring holds 64 */
	for (i = 0; i < 8; i++) {
		for (k = 0; i < 4 && k < 25; k++)
			test_port_rx(0, test_mbuf("02:00:00:00:00:01", 64));
		round_now();
		k = test_nf_take(p->slot, objs, SW_BURST);
		test_nf_give(p->slot, objs, k);
	}
	round_now();
	assert_int_equal(test_env.ports[1].tx_n, 100);
	for (i = 0; i < 100; i++)
		assert_memory_equal(rte_pktmbuf_mtod(test_env.ports[1].tx[i], uint8_t *) + 6,
				    "\x02\xaa\x00\x00\x00\x01", 6);
	must("--json nf list");
	assert_non_null(strstr(reply, "\"name\":\"a\",\"tenant\":\"t1\",\"state\":\"up\","
				      "\"transport\":\"bpf\""));
	assert_int_equal(sw.slot_stats[nf_lookup("a")->slot].to_nf, 100);
	assert_int_equal(sw.slot_stats[nf_lookup("a")->slot].from_nf, 100);
	assert_int_equal(sw.slot_stats[p->slot].from_nf, 100);
	assert_int_equal(sw.slot_stats[nf_lookup("b")->slot].from_nf, 100);
	/* a process cannot register as an in-switch NF */
	assert_null(test_attach("a"));
	must("tenant del t1");
	test_env_settle();
	assert_int_equal(bpf_progs_loaded(), 0);
}

/*
 * More destinations in one round than the data path queues bursts for (DP_PENDS):
 * 300 process NFs return a packet each at once, each to its own in-switch NF, which
 * forwards it to a third. The queue fills while the returns are read (it is handed over
 * then) and again while it is handed over (those packets go on their own): every packet
 * still takes its whole chain, once.
 */
static void
many_destinations(void **state)
{
	enum { N = 300 };
	static struct nf *p[N];
	char line[512];
	void *objs[SW_BURST];
	unsigned int i, k;

	(void)state;
	assert_true(N > DP_PENDS);
	for (i = 0; i < N; i++) {
		snprintf(line, sizeof(line), "tenant add t%u --mac 02:00:00:00:%02x:%02x --port 1",
			 i, i >> 8, i & 0xff);
		must(line);
		snprintf(line, sizeof(line), "nf add p%u --tenant t%u", i, i);
		must(line);
		snprintf(line, sizeof(line), "nf add b%u --tenant t%u --bpf %s", i, i, obj_sig);
		must(line);
		snprintf(line, sizeof(line), "nf add c%u --tenant t%u --bpf %s", i, i, obj_sig);
		must(line);
		snprintf(line, sizeof(line), "p%u", i);
		p[i] = test_attach(line);
		assert_non_null(p[i]);
	}
	for (i = 0; i < N; i++) {
		snprintf(line, sizeof(line), "02:00:00:00:%02x:%02x", i >> 8, i & 0xff);
		test_port_rx(0, test_mbuf(line, 64));
	}
	for (i = 0; i < N / SW_BURST + 1; i++)
		round_now();
	for (i = 0; i < N; i++) {
		k = test_nf_take(p[i]->slot, objs, SW_BURST);
		assert_int_equal(k, 1);
		assert_int_equal(test_nf_give(p[i]->slot, objs, k), 1);
	}
	assert_int_equal(test_env.ports[1].tx_n, 0);
	round_now();
	assert_int_equal(test_env.ports[1].tx_n, N);
	for (i = 0; i < N; i++) {
		const char *hop[] = { "b", "c" };

		for (k = 0; k < 2; k++) {
			snprintf(line, sizeof(line), "%s%u", hop[k], i);
			assert_int_equal(sw.slot_stats[nf_lookup(line)->slot].to_nf, 1);
			assert_int_equal(sw.slot_stats[nf_lookup(line)->slot].from_nf, 1);
		}
	}
	for (i = 0; i < SW_DROP_MAX; i++)
		assert_int_equal(w->stats.drop[i], 0);
	/* each exactly once: every tenant's MAC among what left */
	for (i = 0; i < N; i++) {
		const uint8_t *d = rte_pktmbuf_mtod(test_env.ports[1].tx[i], const uint8_t *);

		k = d[4] << 8 | d[5];
		assert_true(k < N && p[k] != NULL);
		p[k] = NULL;
	}
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hostile),
		cmocka_unit_test(malformed),
		cmocka_unit_test_teardown(hostile_objects, reset),
		cmocka_unit_test_teardown(examples_equal, reset),
		cmocka_unit_test_teardown(no_earlier_bytes, reset),
		cmocka_unit_test_teardown(mixed_chain, reset),
		cmocka_unit_test_teardown(shared_context, reset),
		cmocka_unit_test_teardown(many_destinations, reset),
	};

	if (argc != 5) {
		fprintf(stderr, "usage: %s SIGNATURE.o FIREWALL.o REWRITE.o HOSTILE_DIR\n",
			argv[0]);
		return 2;
	}
	obj_sig = argv[1], obj_fw = argv[2], obj_rw = argv[3], hostile_dir = argv[4];
	return cmocka_run_group_tests(tests, setup, teardown);
}
