/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A switch without EAL, for the unit tests beside the switch's code and the fuzz
 * target of its command interpreter: the real data path and control plane, over
 * channels as the switch makes them, fake ports (rte_eth_fp_ops), fake mbufs, and
 * link-time wraps (-Wl,--wrap) of the few DPDK and libc calls that need EAL, a
 * mempool or a new process.
 */
#ifndef MYRIAD_TEST_ENV_H
#define MYRIAD_TEST_ENV_H

#include <stddef.h>
#include <stdint.h>

#include "control/control.h"
#include "datapath/datapath.h"

#define TEST_PORTS    2
#define TEST_TSC_HZ   1000000000ULL /* what rte_get_tsc_hz() says: 1 cycle = 1 ns */
#define TEST_MAX_PKTS 4096

struct test_port {
	struct rte_mbuf *rx[TEST_MAX_PKTS]; /* what the next rx bursts return */
	unsigned int rx_head, rx_n;
	struct rte_mbuf *tx[TEST_MAX_PKTS]; /* what was transmitted */
	unsigned int tx_n;
	unsigned int tx_room; /* frames the port still accepts */
};

struct test_env {
	struct test_port ports[TEST_PORTS];
	uint64_t freed;         /* mbufs freed to the test pool */
	uint64_t allocated;     /* mbufs allocated from it (copies to a port) */
	unsigned int n_spawned; /* clone calls: spawns (all refused) */
};
extern struct test_env test_env;

/* Set up a switch of max_nfs slots, rings of ring_size, a pool of pool_size. */
void test_env_init(uint32_t max_nfs, uint32_t ring_size, uint32_t pool_size);
/* Remove every tenant and NF; the registry as test_env_init left it. */
void test_env_reset(void);
/* Run the control loop until no NF is on its way out (pidfds, deadlines): a few s at most. */
void test_env_settle(void);
void test_env_fini(void);

/* A packet to dst, as a port would receive it (from a static set of buffers). */
struct rte_mbuf *test_mbuf(const char *dst_mac, uint16_t len);
/* Queue packets for port p's next rx bursts. */
void test_port_rx(uint16_t p, struct rte_mbuf *m);

/* Run a command; returns its status, its reply text in reply (or its error). */
int test_cmd(char *reply, size_t size, const char *line);

/* Attach a process (this one) as NF name, as a registration would. */
struct nf *test_attach(const char *name);

/* The NF's side of a slot's rings: take from to_nf, give to from_nf (how many). */
unsigned int test_nf_take(uint32_t slot, void **objs, unsigned int n);
unsigned int test_nf_give(uint32_t slot, void *const *objs, unsigned int n);
unsigned int test_ring_count(const struct myr_ring *r);

struct ebpf_insn;
/* An eBPF object file in buf (room for the code and 1 KB): n instructions in section
 * sec, as clang would lay it out; returns its length. */
size_t test_bpf_elf(uint8_t *buf, const struct ebpf_insn *ins, unsigned int n, const char *sec);

#endif /* MYRIAD_TEST_ENV_H */
