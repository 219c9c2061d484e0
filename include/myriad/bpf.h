/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * In-switch NFs (kind "bpf"): what an eBPF program sees. The switch runs the program
 * once per packet, on its own core, with a pointer to a struct myr_bpf_ctx as its only
 * argument (r1), and takes its return value as the packet's verdict (MYR_BPF_*, the
 * same as a process NF's). Build with
 *     clang -O2 -target bpf -ffreestanding -c prog.c -o prog.o
 * and load with `myriadctl nf add NAME --tenant T --bpf prog.o [--section S]`.
 *
 * What a program may do (checked when it is loaded; doc/bpf.md):
 *  - read and write the context, at constant offsets or bounded ones, and its own
 *    stack (512 bytes), reading only stack bytes it wrote first;
 *  - no helper calls, maps, global variables, packet loads (LD_ABS/LD_IND), atomics
 *    or loops (every jump goes forward), at most --bpf-max-insns instructions;
 *  - no pointer leaves the program: pointers are never stored, compared or returned.
 * This header is freestanding: it needs nothing but the compiler's stdint.h.
 */
#ifndef MYRIAD_BPF_H
#define MYRIAD_BPF_H

#include <stdint.h>

/* Bytes of the frame a program sees: enough for Ethernet, VLAN, IPv4/IPv6 and L4 headers. */
#define MYR_BPF_WINDOW 128
/* Bytes of an NF's own state, kept between packets (set with --bpf-args). */
#define MYR_BPF_STATE 64

/* Verdicts: the values of enum myr_verdict (myriad/shm.h), as a program returns them. */
#define MYR_BPF_FORWARD 0 /* to the next hop of the chain (or the tenant's port) */
#define MYR_BPF_DROP    1 /* dropped, counted under the NF's verdict_drop */
#define MYR_BPF_TO_PORT 2 /* skip the rest of the chain */

struct myr_bpf_ctx {
	/*
	 * The frame's first min(len, MYR_BPF_WINDOW) bytes, zero after them. What the
	 * program writes here is written back into the frame (up to its length) when the
	 * verdict is not DROP; bytes past the frame's end are not.
	 */
	union {
		uint8_t data[MYR_BPF_WINDOW];
		uint16_t data16[MYR_BPF_WINDOW / 2]; /* the same bytes, read a word at a time */
		uint32_t data32[MYR_BPF_WINDOW / 4];
		uint64_t data64[MYR_BPF_WINDOW / 8];
	};
	uint32_t len; /* the frame's length in bytes (it may be longer than the window) */
	uint32_t reserved;
	/*
	 * The NF's own bytes: --bpf-args at load, then whatever the program leaves here
	 * (counters, for instance). Only this NF's packets see them.
	 */
	union {
		uint8_t state[MYR_BPF_STATE];
		uint16_t state16[MYR_BPF_STATE / 2];
		uint32_t state32[MYR_BPF_STATE / 4];
		uint64_t state64[MYR_BPF_STATE / 8];
	};
} __attribute__((aligned(8)));

#endif /* MYRIAD_BPF_H */
