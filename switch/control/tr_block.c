/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Transport block (B), control half: the wake settings (switch-wide defaults and per
 * NF), and the futex wake that makes a sleeping NF see its stop.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "../datapath/tr_block.h"
#include "transport.h"

/* The per-NF settings, in struct nf's tr_conf. */
struct block_conf {
	uint32_t batch;
	uint32_t timeout_us;
};
_Static_assert(sizeof(struct block_conf) <= sizeof(union nf_tr_conf), "fits struct nf");

#define TIMEOUT_US_MAX 10000000 /* 10 s: beyond it a packet is as good as lost */

static struct block_conf defaults = { .batch = 32, .timeout_us = 200 };
extern uint32_t block_wake_budget; /* datapath/tr_block.c */

static struct block_conf *
conf_of(struct nf *nf)
{
	return (struct block_conf *)&nf->tr_conf;
}

static const struct block_conf *
conf_of_const(const struct nf *nf)
{
	return (const struct block_conf *)&nf->tr_conf;
}

static int
parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *v)
{
	unsigned long x;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || x < min || x > max)
		return -EINVAL;
	*v = (uint32_t)x;
	return 0;
}

/*
 * A batch is at most the ring's capacity (size - 1): a ring never holds more, so a
 * larger batch could never wake the NF.
 */
static int
batch_parse(const char *s, uint32_t *v)
{
	if (parse_u32(s, 1, sw.conf.ring_size - 1, v) < 0)
		return ctl_err(-EINVAL, "wake batch must be 1..%u (what a ring holds)",
			       sw.conf.ring_size - 1);
	return 0;
}

static int
timeout_parse(const char *s, uint32_t *v)
{
	if (parse_u32(s, 1, TIMEOUT_US_MAX, v) < 0)
		return ctl_err(-EINVAL, "wake timeout must be 1..%u us", TIMEOUT_US_MAX);
	return 0;
}

static int
sw_batch(const char *s)
{
	return batch_parse(s, &defaults.batch);
}

static int
sw_timeout(const char *s)
{
	return timeout_parse(s, &defaults.timeout_us);
}

static int
sw_budget(const char *s)
{
	if (parse_u32(s, 1000, 100000000, &block_wake_budget) < 0)
		return ctl_err(-EINVAL, "wake budget must be 1000..100000000 wake-ups/s");
	return 0;
}

static int
sw_waker(const char *s)
{
	if (strcmp(s, "inline") == 0)
		block_waker_thread = false;
	else if (strcmp(s, "thread") == 0)
		block_waker_thread = true;
	else
		return ctl_err(-EINVAL, "waker must be inline or thread");
	return 0;
}

static int
block_init(void)
{
	/* the batch default was checked against the default ring size; check it again */
	if (defaults.batch > sw.conf.ring_size - 1)
		return ctl_err(-EINVAL, "wake batch %u exceeds what a ring of %u holds",
			       defaults.batch, sw.conf.ring_size);
	return 0;
}

static void
block_nf_init(struct nf *nf)
{
	*conf_of(nf) = defaults;
}

static int
nf_batch(struct nf *nf, const char *s)
{
	return batch_parse(s, &conf_of(nf)->batch);
}

static int
nf_timeout(struct nf *nf, const char *s)
{
	return timeout_parse(s, &conf_of(nf)->timeout_us);
}

static void
block_stop(struct nf *nf)
{
	ring_stop(nf);
	block_kick(sw.chans[nf->slot]); /* a sleeping NF must see it */
}

static void
block_fwd_params(const struct nf *nf, union fwd_params *p)
{
	const struct block_conf *c = conf_of_const(nf);
	struct block_params *bp = (struct block_params *)p;

	bp->batch = c->batch;
	bp->timeout_tsc = (uint64_t)c->timeout_us * rte_get_tsc_hz() / 1000000;
}

static void
block_print(const struct nf *nf, struct out *o)
{
	const struct block_conf *c = conf_of_const(nf);
	uint64_t sleeps = nf->slot >= 0 ? sw_read(&sw.chans[nf->slot]->nf.tr.block.n_sleeps) : 0;

	if (o->json)
		out_printf(o, ",\"sleeps\":%" PRIu64 ",\"wake_batch\":%u,\"wake_timeout_us\":%u",
			   sleeps, c->batch, c->timeout_us);
	else
		out_printf(o, " sleeps %" PRIu64 " (batch %u, timeout %u us)", sleeps, c->batch,
			   c->timeout_us);
}

static const struct ctl_sw_option sw_options[] = {
	{ "wake-batch", "N", "blocking NFs: wake when N packets wait (default 32)", sw_batch },
	{ "wake-timeout", "US", "... or when the oldest waited US microseconds (default 200)",
	  sw_timeout },
	{ "wake-budget", "N",
	  "wake-ups per second the NFs' core can take (default 150000);\n"
	  "                      with many NFs waiting, timeouts stretch to stay within it",
	  sw_budget },
	{ "waker", "inline|thread",
	  "who makes the FUTEX_WAKE calls: the data path itself (default), or a\n"
	  "                      real-time thread on the NFs' core (doc/wakeups.md)",
	  sw_waker },
	{ NULL, NULL, NULL, NULL },
};

static const struct ctl_nf_option nf_options[] = {
	{ "wake-batch", "N", nf_batch },
	{ "wake-timeout", "US", nf_timeout },
	{ NULL, NULL, NULL },
};

const struct ctl_transport ctl_tr_block = {
	.kind = MYR_T_BLOCK,
	.has_process = true,
	.init = block_init,
	.nf_init = block_nf_init,
	.attach = ring_attach,
	.stop = block_stop,
	.reclaim = ring_reclaim,
	.fwd_params = block_fwd_params,
	.print = block_print,
	.sw_options = sw_options,
	.nf_options = nf_options,
};
