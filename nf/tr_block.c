/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Transport block (B): the NF sleeps on a futex in its channel when its ring is
 * empty, and the switch wakes it (include/myriad/shm.h has the protocol).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "nf_private.h"

static volatile sig_atomic_t death_noticed;

/*
 * A blocking NF sleeps on a futex, which the switch's death cannot wake. The control
 * socket is the lifeline: with O_ASYNC it raises SIGIO when it becomes readable,
 * which only happens when it closes (the switch stopped us or died; it sends nothing
 * after WELCOME). The signal interrupts the futex wait; the handler only records it.
 * An application that handles SIGIO itself keeps its handler and must call
 * myr_nf_check() when it fires.
 */
static void
on_sigio(int sig)
{
	(void)sig;
	death_noticed = 1;
}

static int
block_attach(struct myr_nf *nf)
{
	struct sigaction old, sa = { .sa_handler = on_sigio };
	int fl = fcntl(nf->fd, F_GETFL);

	if (sigaction(SIGIO, NULL, &old) == 0 && old.sa_handler == SIG_DFL) {
		sigemptyset(&sa.sa_mask);
		sigaction(SIGIO, &sa, NULL);
	}
	if (fl < 0 || fcntl(nf->fd, F_SETOWN, getpid()) < 0 ||
	    fcntl(nf->fd, F_SETFL, fl | O_ASYNC) < 0)
		return nf_error(-errno, "cannot watch the control socket: %s", strerror(errno));
	return 0;
}

static int
block_wait(struct myr_nf *nf)
{
	uint32_t *wake_seq = &nf->ch->sw.tr.block.wake_seq;
	uint32_t *sleep_seq = &nf->ch->nf.tr.block.sleep_seq;
	uint32_t w;
	int ret = 0;

	/*
	 * Read the futex word first: a wake-up after this read changes it, and the
	 * FUTEX_WAIT below then returns at once. Then odd sleep_seq: asleep. The fence
	 * orders that store before the ring check; the switch orders its enqueue before
	 * reading sleep_seq (include/myriad/shm.h).
	 */
	w = __atomic_load_n(wake_seq, __ATOMIC_ACQUIRE);
	nf->tr_state.block.sleep_seq |= 1;
	__atomic_store_n(sleep_seq, nf->tr_state.block.sleep_seq, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (rte_ring_empty(nf->to_nf) && myr_nf_check(nf) == 0 && !death_noticed) {
		nf->ch->nf.tr.block.n_sleeps++;
		if (syscall(SYS_futex, wake_seq, FUTEX_WAIT, w, NULL, NULL, 0) < 0 &&
		    errno != EAGAIN && errno != EINTR)
			ret = -errno;
	}
	if (death_noticed)
		nf->n_checks = NF_CHECK_SOCKET_EVERY - 1; /* look at the socket next check */
	nf->tr_state.block.sleep_seq++;                   /* even: running */
	/* relaxed: the switch only compares values, and orders its own reads */
	__atomic_store_n(sleep_seq, nf->tr_state.block.sleep_seq, __ATOMIC_RELAXED);
	return ret;
}

const struct nf_transport nf_tr_block = {
	.kind = MYR_T_BLOCK,
	.attach = block_attach,
	.rx_burst = nf_ring_rx_burst,
	.tx_burst = nf_ring_tx_burst,
	.wait = block_wait,
};
