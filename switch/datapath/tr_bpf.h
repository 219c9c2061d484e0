/* SPDX-License-Identifier: BSD-3-Clause */
/* Transport bpf (in-switch NFs): what its two halves (datapath/tr_bpf.c,
 * control/tr_bpf.c) share. */
#ifndef MYRIAD_TR_BPF_H
#define MYRIAD_TR_BPF_H

#include <myriad/bpf.h>

#include "../switch.h"

struct rte_bpf;
struct ebpf_insn;

/* A loaded, checked and compiled program (control/bpf.c). Immutable once loaded, but
 * for the loader's own fields. */
struct bpf_prog {
	uint64_t (*run)(void *ctx); /* the JIT's code */
	bool writes;                /* it may store into ctx->data: write the window back */
	uint32_t window;            /* bytes of ctx->data it may touch (a multiple of 32) */
	bool state_in;              /* it may touch ctx->state: copied in for its burst... */
	bool state_out;             /* ... and, if it may store there, copied back */
	uint32_t n_insns;
	uint32_t stack; /* stack bytes it uses */
	uint32_t cost;  /* its dearest path, in ALU operations (control/bpf.c) */
	size_t jit_size;
	struct rte_bpf *bpf;
	char section[64];
	/* the loader's: programs are shared by the NFs that load the same code */
	struct ebpf_insn *ins;
	uint32_t refs;
	struct bpf_prog *next;
};

/* An in-switch NF's own bytes (myr_bpf_ctx.state), kept between packets: a cache line,
 * the only memory of the NF that its packets touch. */
union bpf_state {
	uint8_t b[MYR_BPF_STATE];
	uint32_t u32[MYR_BPF_STATE / 4];
	uint64_t u64[MYR_BPF_STATE / 8];
} __rte_cache_aligned;

/*
 * A bpf NF's entry in the snapshot (union fwd_params): its program and its state. The
 * context a program runs on is the worker's (one for all its in-switch NFs, hot in
 * L1): the frame's window is copied in per packet anyway, and the state per burst.
 */
struct bpf_params {
	const struct bpf_prog *prog;
	union bpf_state *state; /* written by the worker that owns the NF's slot */
};
_Static_assert(MYR_BPF_FORWARD == MYR_V_FORWARD && MYR_BPF_DROP == MYR_V_DROP &&
		       MYR_BPF_TO_PORT == MYR_V_TO_PORT,
	       "a program's verdicts are a process NF's");
_Static_assert(sizeof(struct bpf_params) <= sizeof(union fwd_params), "fits the snapshot");
_Static_assert(sizeof(union bpf_state) == sizeof(((struct myr_bpf_ctx *)0)->state), "state");

#endif /* MYRIAD_TR_BPF_H */
