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
/* the futex word of the blocking NF of this process (one per process) */
static uint32_t *volatile lifeline_word;

/* Make a FUTEX_WAIT on the word return, or not start: a wait compares the word with
 * what it read before, so a change made at any moment after that read is seen.
 * Async-signal-safe. */
static void
bump(void)
{
	uint32_t *w = lifeline_word;

	if (w != NULL)
		__atomic_fetch_add(w, 1, __ATOMIC_RELEASE);
}

/*
 * A blocking NF sleeps on a futex, which the switch's death cannot wake. The control
 * socket is the lifeline: with O_ASYNC it raises SIGIO when it becomes readable,
 * which only happens when it closes (the switch stopped us or died; it sends nothing
 * after WELCOME). The handler records it and moves the futex word, so that the signal
 * ends the wait even if it came between the NF's last check and its FUTEX_WAIT. An
 * application that handles SIGIO itself keeps its handler and must call myr_nf_stop()
 * (or myr_nf_check()) when it fires.
 */
static void
on_sigio(int sig)
{
	(void)sig;
	death_noticed = 1;
	bump();
}

static void
block_interrupt(struct myr_nf *nf)
{
	(void)nf;
	bump();
}

static int
block_attach(struct myr_nf *nf)
{
	struct sigaction old, sa = { .sa_handler = on_sigio };
	struct f_owner_ex owner = { .type = F_OWNER_TID, .pid = gettid() };
	int fl = fcntl(nf->fd, F_GETFL);

	lifeline_word = &nf->ch->sw.tr.block.wake_seq;
	/* an inherited SIG_IGN would disable the lifeline: take it like SIG_DFL */
	if (sigaction(SIGIO, NULL, &old) == 0 &&
	    (old.sa_handler == SIG_DFL || old.sa_handler == SIG_IGN)) {
		sigemptyset(&sa.sa_mask);
		sa.sa_flags = SA_RESTART;
		sigaction(SIGIO, &sa, NULL);
	}
	/* to the thread that attached (and sleeps), not any thread of the process */
	if (fl < 0 || fcntl(nf->fd, F_SETOWN_EX, &owner) < 0 ||
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
	/* release: what this NF returned is published before it says it sleeps (the
	 * switch stops polling its ring then, datapath/tr_ring.c) */
	__atomic_store_n(sleep_seq, nf->tr_state.block.sleep_seq, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (nf_ring_empty(nf) && myr_nf_check(nf) == 0 && !death_noticed) {
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
	.interrupt = block_interrupt,
};
