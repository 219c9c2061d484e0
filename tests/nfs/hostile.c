/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hostile: a test NF that attacks the switch the way a tenant's program could, with
 * what every NF maps (its channel, its rings, the packet memory). It is built from the
 * NF library's private header, as an attacker with the source would. Each attack is
 * made once per packet it receives (or, for wake-forge, continuously); the tests
 * (tests/system/hostile.sh, block.sh) check that the switch counts it and nothing
 * else changes.
 *
 *   wake-forge    never take a packet; change the sleep word all the time, so that
 *                 each delivery looks like a new sleep to wake
 *   bad-pointer   return an address outside the packet memory in place of the packet
 *   misaligned    return an address inside the packet memory but not an mbuf's
 *   external      return the packet marked as an external buffer whose free callback
 *                 is an address we chose
 *   double        return the packet twice
 *   foreign       return, besides the packet, the mbuf next to it in the pool (not ours)
 *   header        return the packet with its pool, segment and length fields forged
 *   ring-index    write ring indexes no ring can have (the switch's side of both
 *                 rings) for a while, then return the packet
 *   peek          look for any other NF's channel in our address space and write STOP
 *                 into it (says so on stderr if one was found)
 *
 * Every returned packet is sent on (verdict forward), so that a tenant whose chain
 * this NF sits in sees which packets survived.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "nf_private.h"

#define EVIL ((uintptr_t)0x4141414141)

static void
give(struct myr_nf *nf, const void *m)
{
	struct rte_mbuf *p = (struct rte_mbuf *)(uintptr_t)m;
	uint8_t v = MYR_V_FORWARD;

	while (nf_ring_tx_burst(nf, &p, &v, 1) == 0 && myr_nf_check(nf) == 0)
		;
}

/*
 * Every channel this process can reach: the mappings of a channel object in our
 * address space. STOP written into each that is not ours (there is none to find: the
 * switch hands an NF its own channel alone). Returns how many others were found.
 */
static unsigned int
stop_others(struct myr_nf *nf)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned int others = 0;
	char line[512];

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long lo, hi;
		struct myr_chan *c;

		if (strstr(line, "myriad-channel") == NULL ||
		    sscanf(line, "%lx-%lx", &lo, &hi) != 2)
			continue;
		c = (struct myr_chan *)lo;
		if (c == nf->ch || c->hdr.magic != MYR_SHM_MAGIC)
			continue;
		__atomic_store_n(&c->sw.state, MYR_CHAN_STOP, __ATOMIC_RELEASE);
		others++;
	}
	fclose(f);
	return others;
}

static void
attack(struct myr_nf *nf, const char *how, struct rte_mbuf *m)
{
	if (strcmp(how, "bad-pointer") == 0) {
		give(nf, (void *)EVIL);
	} else if (strcmp(how, "misaligned") == 0) {
		give(nf, (char *)m + 2 * RTE_CACHE_LINE_SIZE);
	} else if (strcmp(how, "external") == 0) {
		struct rte_mbuf_ext_shared_info *shinfo = rte_pktmbuf_mtod(m, void *);

		shinfo->free_cb = (rte_mbuf_extbuf_free_callback_t)EVIL;
		shinfo->fcb_opaque = NULL;
		rte_mbuf_ext_refcnt_set(shinfo, 1);
		m->shinfo = shinfo;
		m->ol_flags |= RTE_MBUF_F_EXTERNAL;
		give(nf, m);
	} else if (strcmp(how, "double") == 0) {
		give(nf, m);
		give(nf, m);
	} else if (strcmp(how, "foreign") == 0) {
		/* the next buffer: of the pool (pointers), or of the tenant (descriptors) */
		const struct rte_mempool *mp = m->pool;
		size_t stride =
			mp != NULL ? mp->header_size + mp->elt_size + mp->trailer_size : sizeof(*m);

		give(nf, m);
		give(nf, (char *)m + stride);
	} else if (strcmp(how, "header") == 0) {
		m->nb_segs = 7;
		m->next = (struct rte_mbuf *)EVIL;
		m->pool = (struct rte_mempool *)EVIL;
		m->data_len = UINT16_MAX;
		m->pkt_len = UINT32_MAX;
		rte_mbuf_refcnt_set(m, 5);
		give(nf, m);
	} else if (strcmp(how, "ring-index") == 0) {
		/* indexes no ring can have, on both rings, then the packet anyway */
		__atomic_store_n(&nf->from_nf->prod, nf->from_prod + 3 * nf->ring_size,
				 __ATOMIC_RELEASE);
		__atomic_store_n(&nf->to_nf->cons, nf->to_cons - 5 * nf->ring_size,
				 __ATOMIC_RELEASE);
		usleep(1000);
		__atomic_store_n(&nf->from_nf->prod, nf->from_prod, __ATOMIC_RELEASE);
		__atomic_store_n(&nf->to_nf->cons, nf->to_cons, __ATOMIC_RELEASE);
		give(nf, m);
	} else if (strcmp(how, "peek") == 0) {
		if (stop_others(nf) > 0)
			fprintf(stderr, "hostile: reached another NF's channel\n");
		give(nf, m);
	} else {
		give(nf, m);
	}
}

int
main(int argc, char **argv)
{
	struct myr_nf_conf conf = { 0 };
	struct rte_mbuf *pkts[32];
	const char *how = NULL;
	struct myr_nf *nf;
	int i;

	argc = myr_nf_parse_args(&conf, argc, argv);
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--attack") == 0 && i + 1 < argc)
			how = argv[++i];
	if (how == NULL) {
		fprintf(stderr, "usage: %s [--switch PATH] --name NAME --attack HOW\n", argv[0]);
		return 2;
	}
	nf = myr_nf_attach(&conf);
	if (nf == NULL) {
		fprintf(stderr, "hostile: %s\n", myr_nf_last_error());
		return 1;
	}
	myr_nf_stop_on_signals(nf);
	if (strcmp(how, "wake-forge") == 0) {
		uint32_t seq = 1;

		while (myr_nf_check(nf) == 0) {
			seq += 2; /* odd: "asleep", and a sleep not seen before */
			__atomic_store_n(&nf->ch->nf.tr.block.sleep_seq, seq, __ATOMIC_RELEASE);
			usleep(50);
		}
		myr_nf_detach(nf);
		return 0;
	}
	while (myr_nf_check(nf) == 0) {
		unsigned int n = nf_ring_rx_burst(nf, pkts, 32), k;

		if (n == 0) {
			myr_nf_wait(nf);
			continue;
		}
		for (k = 0; k < n; k++)
			attack(nf, how, pkts[k]);
	}
	myr_nf_detach(nf);
	return 0;
}
