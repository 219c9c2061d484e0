/* SPDX-License-Identifier: BSD-3-Clause */
/* Transport block (B): what its two halves (datapath/tr_block.c, control/tr_block.c)
 * share. */
#ifndef MYRIAD_TR_BLOCK_H
#define MYRIAD_TR_BLOCK_H

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../switch.h"

/* A blocking NF's settings, in its snapshot entry (union fwd_params). */
struct block_params {
	uint32_t batch; /* wake a sleeping NF when this many packets wait */
	uint32_t pad;
	uint64_t timeout_tsc; /* ... or when the oldest has waited this long */
};
_Static_assert(sizeof(struct block_params) <= sizeof(union fwd_params), "fits the snapshot");

/*
 * Waking a blocking NF takes two steps: move its futex word (block_bump), then wake
 * the NF sleeping on it (block_futex_wake). Once the word has moved, the NF cannot
 * start a wait on the old value, so the second step may come later and from another
 * thread (the waker, datapath/tr_block.c) without losing the wake-up. The futex is
 * shared (no FUTEX_PRIVATE_FLAG): the NF maps the same hugepage file. Measured against
 * eventfd, pipe and semaphore in doc/wakeups.md.
 */
static inline void
block_bump(struct myr_chan *c)
{
	__atomic_fetch_add(&c->sw.tr.block.wake_seq, 1, __ATOMIC_RELEASE);
}

/* @return the syscall's result: woken waiters, or -1 with errno. */
static inline int
block_futex_wake(struct myr_chan *c)
{
	return (int)syscall(SYS_futex, &c->sw.tr.block.wake_seq, FUTEX_WAKE, 1, NULL, NULL, 0);
}

static inline int
block_kick(struct myr_chan *c)
{
	block_bump(c);
	return block_futex_wake(c);
}

/* --waker thread: set by control/tr_block.c before the workers start */
extern bool block_waker_thread;

#endif /* MYRIAD_TR_BLOCK_H */
