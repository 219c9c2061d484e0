/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the data path: classification, the chain, the pool share, the list of
 * NFs worth polling, and transport block's wake policy and aging timeout. The real
 * data path runs its real rounds over fake ports and the channels' real rings
 * (switch/test_env.h); the test plays the NFs on the other end of the rings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../bufs.h"
#include "../test_env.h"
#include "tr_block.h"
#include "transport.h"

static struct dp_worker *w;
/* each test's clock starts past the last one's: the data path's clock never goes back */
static uint64_t epoch;

static void
round_at(uint64_t now)
{
	w->f = __atomic_load_n(&sw.fwd, __ATOMIC_ACQUIRE);
	w->now = epoch + now;
	dp_round(w);
}

static void
must(const char *line)
{
	char reply[512];

	if (test_cmd(reply, sizeof(reply), line) < 0)
		fail_msg("'%s' failed: %s", line, reply);
}

static int
setup(void **state)
{
	(void)state;
	test_env_init(64, 64, 1024);
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

/* after each test, whatever it left (also when it failed half-way) */
static int
reset(void **state)
{
	(void)state;
	test_env_reset();
	memset(&w->stats, 0, sizeof(w->stats));
	/* the ports' buffers the worker kept (tenant_pool) go back to the pool */
	if (w->n_wire > 0)
		rte_mempool_put_bulk(sw.pool, (void **)w->wire, w->n_wire);
	w->n_wire = 0;
	test_env.freed = 0;
	epoch += 1000 * TEST_TSC_HZ;
	return 0;
}

/* Tenant t1 (MAC 02:00:00:00:00:01, out of port 1) with one NF, a, attached. */
static struct nf *
t1_nf_a(void)
{
	struct nf *a;

	must("tenant add t1 --mac 02:00:00:00:00:01 --port 1");
	must("nf add a --tenant t1");
	a = test_attach("a");
	assert_non_null(a);
	return a;
}

/* The NF of a slot takes what waits for it and returns it with a verdict. */
static unsigned int
nf_bounce(uint32_t slot, uint8_t verdict)
{
	void *objs[SW_BURST];
	unsigned int n, i;

	n = test_nf_take(slot, objs, SW_BURST);
	for (i = 0; i < n; i++)
		objs[i] = myr_verdict_pack(objs[i], verdict);
	if (test_nf_give(slot, objs, n) != n)
		fail_msg("from_nf full");
	return n;
}

static void
mac_table(void **state)
{
	char line[128], mac[MYR_MAC_STR_LEN];
	unsigned int i;

	(void)state;
	/* 200 tenants whose MACs differ in the low bytes: all found, others not */
	for (i = 0; i < 200; i++) {
		snprintf(line, sizeof(line), "tenant add t%u --mac 02:00:00:00:%02x:%02x --port 1",
			 i, i >> 8, i & 0xff);
		must(line);
	}
	for (i = 0; i < 200; i++) {
		struct rte_ether_addr a;
		const struct fwd_mac *e;

		snprintf(mac, sizeof(mac), "02:00:00:00:%02x:%02x", i >> 8, i & 0xff);
		assert_int_equal(myr_mac_parse(mac, a.addr_bytes), 0);
		e = dp_mac_lookup(sw.fwd, &a);
		assert_non_null(e);
		assert_int_equal(e->first.next, SW_HOP_NONE); /* no NF: straight to the port */
		assert_int_equal(e->first.port, 1);
	}
	for (i = 200; i < 400; i++) {
		struct rte_ether_addr a;

		snprintf(mac, sizeof(mac), "02:00:00:00:%02x:%02x", i >> 8, i & 0xff);
		assert_int_equal(myr_mac_parse(mac, a.addr_bytes), 0);
		assert_null(dp_mac_lookup(sw.fwd, &a));
	}
	/* at most half full: a miss always meets an empty entry */
	assert_true(sw.fwd->mac_mask + 1 >= 400);
	/* MACs that differ in their last bytes spread: no long probe runs (a hash that
	 * kept the product's low bits put all of a byte's 256 values in one run) */
	{
		uint32_t run = 0, longest = 0, k;

		for (k = 0; k <= sw.fwd->mac_mask; k++) {
			run = sw.fwd->macs[k].key == FWD_MAC_EMPTY ? 0 : run + 1;
			longest = RTE_MAX(longest, run);
		}
		if (longest > 16)
			fail_msg("a probe run of %u entries", longest);
	}
}

/* A round takes bursts from a port while they come back full, 8 at most; a port with
 * less than a burst is read once. */
static void
rx_bursts(void **state)
{
	unsigned int i;

	(void)state;
	must("tenant add t1 --mac 02:00:00:00:00:01 --port 1"); /* no NF: port to port */
	for (i = 0; i < 300; i++)
		test_port_rx(0, test_mbuf("02:00:00:00:00:01", 64));
	round_at(1);
	assert_int_equal(w->stats.rx[0], 8 * SW_BURST);
	round_at(2);
	assert_int_equal(w->stats.rx[0], 300);
	assert_int_equal(w->stats.tx[1], 300);
}

static void
chain_delivery(void **state)
{
	struct nf *a, *b;
	uint64_t tx0;
	unsigned int i;

	(void)state;
	must("tenant add t1 --mac 02:00:00:00:00:01 --port 1");
	must("nf add a --tenant t1");
	must("nf add b --tenant t1 --transport block");
	a = test_attach("a");
	b = test_attach("b");
	assert_non_null(a);
	assert_non_null(b);

	for (i = 0; i < 5; i++)
		test_port_rx(0, test_mbuf("02:00:00:00:00:01", 64));
	test_port_rx(0, test_mbuf("02:00:00:00:00:99", 64)); /* no tenant */
	test_port_rx(0, test_mbuf("02:00:00:00:00:01", 10)); /* runt */
	round_at(1);
	assert_int_equal(test_ring_count(sw.to_nf[a->slot]), 5);
	assert_int_equal(w->stats.drop[SW_DROP_UNKNOWN_MAC], 1);
	assert_int_equal(w->stats.drop[SW_DROP_RUNT], 1);
	assert_int_equal(sw.slot_stats[a->slot].to_nf, 5);
	assert_int_equal(w->slots[a->slot].held, 5);
	assert_int_equal(w->stats.active_nfs, 1);

	/* a forwards all five: they reach b, the chain's next member */
	assert_int_equal(nf_bounce(a->slot, MYR_V_FORWARD), 5);
	round_at(2);
	assert_int_equal(sw.slot_stats[a->slot].from_nf, 5);
	assert_int_equal(w->slots[a->slot].held, 0);
	assert_int_equal(test_ring_count(sw.to_nf[b->slot]), 5);

	/* b forwards four and drops one: four leave by port 1, one is counted */
	{
		void *objs[5];

		assert_int_equal(test_nf_take(b->slot, objs, 5), 5);
		for (i = 0; i < 5; i++)
			objs[i] = myr_verdict_pack(objs[i], i == 2 ? MYR_V_DROP : MYR_V_FORWARD);
		objs[4] = myr_verdict_pack(myr_verdict_mbuf(objs[4]), 7); /* no such verdict */
		assert_int_equal(test_nf_give(b->slot, objs, 5), 5);
	}
	tx0 = test_env.ports[1].tx_n;
	round_at(3);
	assert_int_equal(test_env.ports[1].tx_n - tx0, 3);
	assert_int_equal(w->stats.tx[1], 3);
	assert_int_equal(sw.slot_stats[b->slot].verdict_drop, 1);
	assert_int_equal(sw.slot_stats[b->slot].bad_verdict, 1);
	assert_int_equal(w->stats.drop[SW_DROP_NF_VERDICT], 1);
	assert_int_equal(w->stats.drop[SW_DROP_NF_BAD_VERDICT], 1);
	assert_int_equal(w->stats.active_nfs, 0);
	/* every packet that came in is out or dropped, and the drops were freed */
	assert_int_equal(w->stats.rx[0], w->stats.tx[1] + 4);
	assert_int_equal(test_env.freed, 4);
}

/* Only NFs that hold packets are polled; one that is replaced is forgotten. */
static void
active_list(void **state)
{
	struct nf *a;
	void *obj;

	(void)state;
	a = t1_nf_a();
	/* a holds nothing: what it puts in from_nf is not even looked at */
	obj = myr_verdict_pack(test_mbuf("02:00:00:00:00:01", 64), MYR_V_FORWARD);
	assert_int_equal(test_nf_give(a->slot, &obj, 1), 1);
	round_at(1);
	assert_int_equal(test_ring_count(sw.from_nf[a->slot]), 1);
	assert_int_equal(sw.slot_stats[a->slot].from_nf, 0);
	sw.from_nf[a->slot]->prod--; /* the NF takes it back before anyone looked */

	/* given one, it is polled until it returned it, then no more */
	test_port_rx(0, test_mbuf("02:00:00:00:00:01", 64));
	round_at(2);
	assert_int_equal(w->stats.active_nfs, 1);
	assert_int_equal(nf_bounce(a->slot, MYR_V_FORWARD), 1);
	round_at(3);
	assert_int_equal(sw.slot_stats[a->slot].from_nf, 1);
	assert_int_equal(w->stats.active_nfs, 0);
}

/*
 * A blocking NF that holds its packets while its polls keep finding nothing (awake,
 * waiting for its core) is polled less and less often, down to once in
 * 2^DP_POLL_BACKOFF_MAX rounds, and every round again once it returns: what it
 * returns is taken, late by that many rounds at most, and counted exactly. A polling
 * NF, on a core of its own, is polled every round however long it was silent.
 */
static void
poll_backoff(void **state)
{
	const unsigned int most = 1u << DP_POLL_BACKOFF_MAX;
	unsigned int tx0 = test_env.ports[1].tx_n, r, t;
	void *objs[2], *obj;
	struct nf *b, *p;

	(void)state;
	must("tenant add t1 --mac 02:00:00:00:00:01 --port 1");
	must("nf add b --tenant t1 --transport block");
	must("tenant add t2 --mac 02:00:00:00:00:02 --port 1");
	must("nf add p --tenant t2");
	b = test_attach("b");
	p = test_attach("p");
	assert_non_null(b);
	assert_non_null(p);
	test_port_rx(0, test_mbuf("02:00:00:00:00:01", 64));
	test_port_rx(0, test_mbuf("02:00:00:00:00:01", 64));
	test_port_rx(0, test_mbuf("02:00:00:00:00:02", 64));
	round_at(1);
	/* both NFs hold their packets for many rounds (b never says it sleeps) */
	for (r = 2; r < 2 + 4 * most; r++)
		round_at(r);

	/* the polling NF's return is taken in the next round */
	assert_int_equal(nf_bounce(p->slot, MYR_V_FORWARD), 1);
	round_at(r++);
	assert_int_equal(sw.slot_stats[p->slot].from_nf, 1);

	/* the blocking NF's is not seen at once, but within the longest skip */
	assert_int_equal(test_nf_take(b->slot, objs, 2), 2);
	obj = myr_verdict_pack(objs[0], MYR_V_FORWARD);
	assert_int_equal(test_nf_give(b->slot, &obj, 1), 1);
	for (t = 0; t <= most && sw.slot_stats[b->slot].from_nf == 0; t++)
		round_at(r++);
	assert_int_equal(sw.slot_stats[b->slot].from_nf, 1);
	assert_true(t > 1);
	assert_true(t <= most);
	/* having returned, it is polled every round again */
	obj = myr_verdict_pack(objs[1], MYR_V_FORWARD);
	assert_int_equal(test_nf_give(b->slot, &obj, 1), 1);
	round_at(r++);
	assert_int_equal(sw.slot_stats[b->slot].from_nf, 2);

	assert_int_equal(test_env.ports[1].tx_n - tx0, 3);
	assert_int_equal(w->stats.rx[0], w->stats.tx[1]);
	assert_int_equal(w->slots[b->slot].held + w->slots[p->slot].held, 0);
	assert_int_equal(w->stats.active_nfs, 0);
}

/*
 * What an NF returns is used only if it is an mbuf of the pool that this NF holds, once;
 * its header is the switch's again, and lengths that overrun its buffer drop it.
 */
static void
returned_buffers(void **state)
{
	struct rte_mbuf *m[3], *never;
	void *objs[8];
	unsigned int i;
	struct nf *a;

	(void)state;
	a = t1_nf_a();
	for (i = 0; i < 3; i++)
		test_port_rx(0, test_mbuf("02:00:00:00:00:01", 64));
	never = test_mbuf("02:00:00:00:00:01", 64); /* of the pool, never handed to a */
	round_at(1);
	assert_int_equal(test_nf_take(a->slot, (void **)m, 3), 3);

	m[0]->ol_flags |= RTE_MBUF_F_EXTERNAL | RTE_MBUF_F_INDIRECT;
	m[0]->shinfo = (void *)0x4141414140;
	m[0]->pool = (void *)0x4141414140;
	m[0]->next = (void *)0x4141414140;
	m[0]->nb_segs = 5;
	m[0]->buf_addr = (void *)0x4141414140;
	m[0]->pkt_len = 100000;
	rte_mbuf_refcnt_set(m[0], 9);
	m[2]->data_len = 4000;                                           /* past its buffer */
	objs[0] = myr_verdict_pack((void *)0x4141414140, MYR_V_FORWARD); /* not in the pool */
	objs[1] = myr_verdict_pack((char *)m[1] + 128, MYR_V_FORWARD);   /* inside an mbuf */
	objs[2] = myr_verdict_pack(m[0], MYR_V_FORWARD);
	objs[3] = myr_verdict_pack(m[1], MYR_V_FORWARD);
	objs[4] = myr_verdict_pack(m[1], MYR_V_FORWARD); /* twice */
	objs[5] = myr_verdict_pack(never, MYR_V_FORWARD);
	objs[6] = myr_verdict_pack(m[2], MYR_V_FORWARD);
	assert_int_equal(test_nf_give(a->slot, objs, 7), 7);
	round_at(2);
	assert_int_equal(sw.slot_stats[a->slot].bad_buffer, 4);
	assert_int_equal(w->stats.nf_bad_buffer, 4);
	assert_int_equal(sw.slot_stats[a->slot].from_nf, 3);
	assert_int_equal(w->slots[a->slot].held, 0);
	assert_int_equal(w->stats.tx[1], 2);
	assert_int_equal(w->stats.drop[SW_DROP_NF_BAD_LENGTH], 1);
	assert_int_equal(test_env.freed, 1);
	/* the header of m[0] is the switch's again */
	assert_int_equal(m[0]->ol_flags, 0);
	assert_ptr_equal(m[0]->pool, sw_bufs.pool);
	assert_ptr_equal(m[0]->next, NULL);
	assert_int_equal(m[0]->nb_segs, 1);
	assert_int_equal(rte_mbuf_refcnt_read(m[0]), 1);
	assert_ptr_equal(m[0]->buf_addr, (char *)m[0] + sizeof(struct rte_mbuf));
	assert_int_equal(m[0]->pkt_len, m[0]->data_len);
	/* in == out + drops: the four bad pointers were no packets */
	assert_int_equal(w->stats.rx[0], w->stats.tx[1] + 1);
}

/* An NF holds at most its share of the pool: 3/4 of it among the NFs holding some. */
static void
pool_share(void **state)
{
	struct nf *a;
	unsigned int i, sent = 0;

	(void)state;
	a = t1_nf_a();
	/* pool 1024: the NFs holding packets share 768 with one more (the next NF to
	 * get some): a, alone, may hold 384. The NF empties its ring every round and
	 * keeps what it took (stuck): past 384, the switch drops */
	while (sent < 800) {
		for (i = 0; i < SW_BURST; i++, sent++)
			test_port_rx(0, test_mbuf("02:00:00:00:00:01", 64));
		round_at(sent);
		{
			void *objs[SW_BURST];

			while (test_nf_take(a->slot, objs, SW_BURST))
				;
		}
	}
	assert_int_equal(w->slots[a->slot].held, 1024 * 3 / 4 / 2);
	assert_int_equal(sw.slot_stats[a->slot].to_nf, 384);
	assert_int_equal(sw.slot_stats[a->slot].over_share, 800 - 384);
	assert_int_equal(w->stats.drop[SW_DROP_NF_OVER_SHARE], 800 - 384);
	assert_int_equal(sw.slot_stats[a->slot].ring_full, 0);
}

/* A ring full: the packets that do not fit are dropped, not queued. */
static void
ring_full(void **state)
{
	struct nf *a;
	unsigned int i;

	(void)state;
	a = t1_nf_a();
	for (i = 0; i < 3 * SW_BURST; i++)
		test_port_rx(0, test_mbuf("02:00:00:00:00:01", 64));
	for (i = 0; i < 3; i++)
		round_at(i + 1);
	/* a ring holds all of its size (an rte_ring held one less) */
	assert_int_equal(test_ring_count(sw.to_nf[a->slot]), sw.conf.ring_size);
	assert_int_equal(sw.slot_stats[a->slot].ring_full, 3 * SW_BURST - sw.conf.ring_size);
	assert_int_equal(w->slots[a->slot].held, sw.conf.ring_size);
}

/*
 * The ring indexes an NF writes are checked on every use (include/myriad/shm.h): one
 * that no ring can have is counted and the ring is left as it was; the switch's own
 * indexes are not moved by anything the NF writes.
 */
static void
ring_indexes(void **state)
{
	uint32_t size = sw.conf.ring_size;
	unsigned int tx0 = test_env.ports[1].tx_n;
	struct nf *a;

	(void)state;
	a = t1_nf_a();
	test_port_rx(0, test_mbuf("02:00:00:00:00:01", 64));
	round_at(1);
	assert_int_equal(test_ring_count(sw.to_nf[a->slot]), 1);

	/* returns that are not there: three rings' worth past what the switch took */
	sw.from_nf[a->slot]->prod += 3 * size;
	round_at(2);
	assert_int_equal(sw.slot_stats[a->slot].bad_index, 1);
	assert_int_equal(w->stats.nf_bad_index, 1);
	assert_int_equal(sw.slot_stats[a->slot].from_nf, 0);
	sw.from_nf[a->slot]->prod -= 3 * size;

	/* taken more than was queued: no room is believed, the packet is dropped */
	sw.to_nf[a->slot]->cons += 5;
	test_port_rx(0, test_mbuf("02:00:00:00:00:01", 64));
	round_at(3);
	assert_int_equal(sw.slot_stats[a->slot].bad_index, 2);
	assert_int_equal(sw.slot_stats[a->slot].ring_full, 1);
	sw.to_nf[a->slot]->cons -= 5;

	/* a producer index the NF moved on to_nf changes nothing the switch writes */
	sw.to_nf[a->slot]->prod = 12345;
	test_port_rx(0, test_mbuf("02:00:00:00:00:01", 64));
	round_at(4);
	assert_int_equal(sw.to_nf[a->slot]->prod, 2);
	assert_int_equal(sw.slot_stats[a->slot].to_nf, 2);

	/* and the NF that behaves again is served as before */
	assert_int_equal(nf_bounce(a->slot, MYR_V_FORWARD), 2);
	round_at(5);
	assert_int_equal(sw.slot_stats[a->slot].from_nf, 2);
	assert_int_equal(test_env.ports[1].tx_n - tx0, 2);
	assert_int_equal(w->slots[a->slot].held, 0);
}

/*
 * --nf-memory isolated: a packet is copied into its tenant's pool for the first
 * process NF (the port's buffer kept by the worker), goes down the chain as a
 * descriptor with no further copy, and is copied out to a port buffer when it leaves,
 * the last one the worker kept, with no trip through the ports' pool; a descriptor is
 * believed only for a buffer that NF holds, with a length that fits.
 */
static void
tenant_pool(void **state)
{
	uint64_t freed0 = test_env.freed, alloc0 = test_env.allocated, e;
	unsigned int tx0 = test_env.ports[1].tx_n;
	struct rte_mbuf *m, *out;
	struct nf *a, *b;
	struct tpool *tp;
	uint32_t idx;
	void *obj;

	(void)state;
	sw.conf.shared_memory = false;
	sw.conf.tenant_buffers = 64;
	assert_int_equal(tp_init(), 0);
	must("tenant add t1 --mac 02:00:00:00:00:01 --port 1");
	must("nf add a --tenant t1");
	must("nf add b --tenant t1");
	a = test_attach("a");
	b = test_attach("b");
	assert_non_null(a);
	assert_non_null(b);
	tp = a->tpool;
	assert_non_null(tp);
	assert_ptr_equal(b->tpool, tp);
	assert_true(tp->n >= 64);

	m = test_mbuf("02:00:00:00:00:01", 100);
	memcpy(rte_pktmbuf_mtod_offset(m, char *, 14), "tenant-bytes", 12);
	test_port_rx(0, m);
	round_at(1);
	/* the port's buffer, once copied, is the worker's to copy out into */
	assert_int_equal(test_env.freed - freed0, 0);
	assert_int_equal(w->n_wire, 1);
	assert_ptr_equal(w->wire[0], m);
	assert_int_equal(tp_avail(tp), tp->n - 1);
	assert_int_equal(test_nf_take(a->slot, &obj, 1), 1);
	e = (uintptr_t)obj;
	idx = myr_desc_idx(e);
	assert_true(idx < tp->n);
	assert_int_equal(myr_desc_off(e), RTE_PKTMBUF_HEADROOM);
	assert_int_equal(myr_desc_len(e), 100);
	/* the bytes are in the tenant's memory, where its NFs see them */
	assert_memory_equal(tp->data + (size_t)idx * tp->buf_size + RTE_PKTMBUF_HEADROOM + 14,
			    "tenant-bytes", 12);

	/* a buffer it does not hold, then its own: the first is counted and left alone */
	obj = (void *)(uintptr_t)myr_desc((idx + 1) % tp->n, 0, RTE_PKTMBUF_HEADROOM, 100);
	assert_int_equal(test_nf_give(a->slot, &obj, 1), 1);
	obj = (void *)(uintptr_t)e;
	assert_int_equal(test_nf_give(a->slot, &obj, 1), 1);
	round_at(2);
	assert_int_equal(sw.slot_stats[a->slot].bad_buffer, 1);
	assert_int_equal(sw.slot_stats[a->slot].from_nf, 1);
	/* on to b in the same buffer: no copy inside the tenant */
	assert_int_equal(tp_avail(tp), tp->n - 1);
	assert_int_equal(test_nf_take(b->slot, &obj, 1), 1);
	assert_int_equal(myr_desc_idx((uintptr_t)obj), idx);

	/* b returns it longer than its buffer: dropped, the buffer back in the pool */
	obj = (void *)(uintptr_t)myr_desc(idx, 0, RTE_PKTMBUF_HEADROOM, UINT16_MAX);
	assert_int_equal(test_nf_give(b->slot, &obj, 1), 1);
	round_at(3);
	assert_int_equal(w->stats.drop[SW_DROP_NF_BAD_LENGTH], 1);
	assert_int_equal(tp_avail(tp), tp->n);

	/* a second packet through both, out of the port as a copy, into its own port
	 * buffer (the last kept): the ports' pool is neither asked nor given one */
	m = test_mbuf("02:00:00:00:00:01", 200);
	alloc0 = test_env.allocated;
	freed0 = test_env.freed;
	test_port_rx(0, m);
	round_at(4);
	assert_int_equal(w->n_wire, 2);
	assert_int_equal(test_nf_take(a->slot, &obj, 1), 1);
	idx = myr_desc_idx((uintptr_t)obj);
	assert_int_equal(test_nf_give(a->slot, &obj, 1), 1);
	round_at(5);
	assert_int_equal(nf_bounce(b->slot, MYR_V_FORWARD), 1);
	round_at(6);
	assert_int_equal(test_env.ports[1].tx_n - tx0, 1);
	out = test_env.ports[1].tx[test_env.ports[1].tx_n - 1];
	assert_ptr_equal(out, m);
	assert_int_equal(w->n_wire, 1);
	assert_int_equal(test_env.allocated - alloc0, 0);
	assert_int_equal(test_env.freed - freed0, 0);
	assert_ptr_equal(out->pool, sw.pool);
	assert_int_equal(out->data_len, 200);
	assert_int_equal(out->data_off, RTE_PKTMBUF_HEADROOM);
	assert_int_equal(out->ol_flags, 0);
	assert_int_equal(rte_mbuf_refcnt_read(out), 1);
	assert_int_equal(tp_avail(tp), tp->n);
	/* the next copy in takes the buffer the last one left (tp_recycle): still in the
	 * cache, where the ring's next would be the least recently used of them all */
	test_port_rx(0, test_mbuf("02:00:00:00:00:01", 300));
	round_at(7);
	assert_int_equal(test_nf_take(a->slot, &obj, 1), 1);
	assert_int_equal(myr_desc_idx((uintptr_t)obj), idx);
	assert_int_equal(tp_avail(tp), tp->n - 1);
	/* with none kept, a copy out takes a few buffers of the pool at once */
	assert_int_equal(test_nf_give(a->slot, &obj, 1), 1);
	round_at(8);
	rte_mempool_put_bulk(sw.pool, (void **)w->wire, w->n_wire);
	w->n_wire = 0;
	alloc0 = test_env.allocated;
	assert_int_equal(nf_bounce(b->slot, MYR_V_FORWARD), 1);
	round_at(9);
	assert_int_equal(test_env.ports[1].tx_n - tx0, 2);
	assert_int_equal(test_env.allocated - alloc0, DP_WIRE_REFILL);
	assert_int_equal(w->n_wire, DP_WIRE_REFILL - 1);

	test_env_reset();
	tp_fini();
	sw.conf.shared_memory = true;
}

static uint32_t
wake_seq(const struct nf *nf)
{
	return sw.chans[nf->slot]->sw.tr.block.wake_seq;
}

static void
nf_sleeps(const struct nf *nf, uint32_t seq)
{
	sw.chans[nf->slot]->nf.tr.block.sleep_seq = seq;
}

static uint64_t
wakeups(const struct nf *nf)
{
	return sw.slot_stats[nf->slot].kind[0];
}

/* One tenant (MAC ...:01, port 1) with one blocking NF "b" of these settings. */
static struct nf *
one_blocking(const char *settings)
{
	char line[96];
	struct nf *b;

	must("tenant add t1 --mac 02:00:00:00:00:01 --port 1");
	must("nf add b --tenant t1 --transport block");
	snprintf(line, sizeof(line), "nf set b %s", settings);
	must(line);
	b = test_attach("b");
	assert_non_null(b);
	return b;
}

/* B: a sleeping NF is woken once a batch waits, never twice for one sleep, never
 * while it runs. */
static void
wake_batch(void **state)
{
	struct nf *b;
	unsigned int i;

	(void)state;
	b = one_blocking("--wake-batch 8 --wake-timeout 1000");

	/* running (even sleep_seq): never woken */
	nf_sleeps(b, 2);
	for (i = 0; i < 10; i++)
		test_port_rx(0, test_mbuf("02:00:00:00:00:01", 64));
	round_at(1000);
	assert_int_equal(wakeups(b), 0);
	nf_bounce(b->slot, MYR_V_DROP);
	round_at(1001);

	/* asleep: 7 wait, no wake; the 8th makes a batch */
	nf_sleeps(b, 3);
	for (i = 0; i < 7; i++)
		test_port_rx(0, test_mbuf("02:00:00:00:00:01", 64));
	round_at(2000);
	assert_int_equal(wakeups(b), 0);
	test_port_rx(0, test_mbuf("02:00:00:00:00:01", 64));
	round_at(2001);
	assert_int_equal(wakeups(b), 1);
	assert_int_equal(wake_seq(b), 1);
	/* the NF has not run yet: more packets, same sleep, no second wake */
	for (i = 0; i < 8; i++)
		test_port_rx(0, test_mbuf("02:00:00:00:00:01", 64));
	round_at(2002);
	round_at(1000000);
	assert_int_equal(wakeups(b), 1);
	/* it slept again (a new odd value): the next batch wakes it */
	nf_bounce(b->slot, MYR_V_DROP);
	nf_bounce(b->slot, MYR_V_DROP);
	round_at(1000001);
	nf_sleeps(b, 5);
	for (i = 0; i < 8; i++)
		test_port_rx(0, test_mbuf("02:00:00:00:00:01", 64));
	round_at(1000002);
	assert_int_equal(wakeups(b), 2);
	assert_int_equal(w->stats.kind[b->kind][0], 2);
}

/* B: fewer than a batch are delivered by the aging timeout, measured from the first. */
static void
wake_timeout(void **state)
{
	struct nf *b;

	(void)state;
	b = one_blocking("--wake-batch 32 --wake-timeout 100"); /* 100 us = 100000 cycles here */
	nf_sleeps(b, 1);
	test_port_rx(0, test_mbuf("02:00:00:00:00:01", 64));
	round_at(1000000);
	test_port_rx(0, test_mbuf("02:00:00:00:00:01", 64));
	round_at(1050000); /* a second packet does not restart the clock */
	round_at(1099999);
	assert_int_equal(wakeups(b), 0);
	round_at(1100000);
	assert_int_equal(wakeups(b), 1);
	round_at(9000000);
	assert_int_equal(wakeups(b), 1);
}

/* B: each NF's own timeout: a long one ahead of a short one delays nothing. */
static void
own_timeouts(void **state)
{
	struct nf *slow, *quick;

	(void)state;
	must("tenant add t1 --mac 02:00:00:00:00:01");
	must("tenant add t2 --mac 02:00:00:00:00:02");
	must("nf add slow --tenant t1 --transport block");
	must("nf add quick --tenant t2 --transport block");
	must("nf set slow --wake-timeout 3000000"); /* 3 s */
	must("nf set quick --wake-timeout 200");
	slow = test_attach("slow");
	quick = test_attach("quick");
	assert_non_null(slow);
	assert_non_null(quick);
	nf_sleeps(slow, 1);
	nf_sleeps(quick, 1);
	test_port_rx(0, test_mbuf("02:00:00:00:00:01", 64));
	round_at(1000000);
	test_port_rx(0, test_mbuf("02:00:00:00:00:02", 64));
	round_at(1000001);
	round_at(1000001 + 200000);
	assert_int_equal(wakeups(quick), 1);
	assert_int_equal(wakeups(slow), 0);
	round_at(1000000 + 3000000000ULL);
	assert_int_equal(wakeups(slow), 1);
}

/*
 * B: a sleeping NF's ring is not polled: once it sleeps with all its returns taken,
 * its slot dozes; a wake-up makes it polled again. What it returns while it says it
 * sleeps (a lie) is found by the sweep, a round later, and counted.
 */
static void
dozing(void **state)
{
	struct nf *b;
	void *objs[SW_BURST];
	unsigned int i;

	(void)state;
	b = one_blocking("--wake-batch 8 --wake-timeout 1000");

	/* asleep with one packet, not woken for it: the next round it dozes */
	nf_sleeps(b, 1);
	test_port_rx(0, test_mbuf("02:00:00:00:00:01", 64));
	round_at(1000);
	round_at(1001);
	assert_int_equal(wakeups(b), 0);
	/* it returns the packet and still says it sleeps: not polled, so not taken this
	 * round; the sweep at the round's end sees the ring move and rouses it */
	assert_int_equal(test_nf_take(b->slot, objs, SW_BURST), 1);
	objs[0] = myr_verdict_pack(objs[0], MYR_V_DROP);
	assert_int_equal(test_nf_give(b->slot, objs, 1), 1);
	round_at(1002);
	assert_int_equal(sw.slot_stats[b->slot].from_nf, 0);
	assert_int_equal(w->stats.kind[b->kind][4], 1); /* sweep_rouses */
	round_at(1003);
	assert_int_equal(sw.slot_stats[b->slot].from_nf, 1);

	/* a batch wakes it: polled from then on, its returns taken the round it makes them */
	nf_sleeps(b, 3);
	for (i = 0; i < 8; i++)
		test_port_rx(0, test_mbuf("02:00:00:00:00:01", 64));
	round_at(2000);
	assert_int_equal(wakeups(b), 1);
	round_at(2001); /* woken for this sleep, not yet running: it does not doze */
	nf_sleeps(b, 4);
	assert_int_equal(nf_bounce(b->slot, MYR_V_DROP), 8);
	round_at(2002);
	assert_int_equal(sw.slot_stats[b->slot].from_nf, 9);
	assert_int_equal(w->stats.kind[b->kind][4], 1);
}

#define BUDGET_CYCLES (TEST_TSC_HZ / 150000) /* the default budget, 150000 wake-ups/s */

/* Attach n blocking NFs, asleep, each with its own tenant; the i-th MAC is mac(i). */
static void
sleepers(struct nf **list, unsigned int n, const char *settings)
{
	char line[96];
	unsigned int i;

	for (i = 0; i < n; i++) {
		snprintf(line, sizeof(line), "tenant add t%u --mac 02:00:00:00:01:%02x", i, i);
		must(line);
		snprintf(line, sizeof(line), "nf add b%u --tenant t%u --transport block", i, i);
		must(line);
		snprintf(line, sizeof(line), "nf set b%u %s", i, settings);
		must(line);
		snprintf(line, sizeof(line), "b%u", i);
		list[i] = test_attach(line);
		assert_non_null(list[i]);
		nf_sleeps(list[i], 1);
	}
}

static unsigned int
woken(struct nf **list, unsigned int n)
{
	unsigned int i, k = 0;

	for (i = 0; i < n; i++)
		k += wakeups(list[i]);
	return k;
}

/* B: timeouts beyond the budget are served in turn, a burst first, then one per
 * 1/budget: the NFs' core is never asked for more wake-ups than it can take. */
static void
wake_budget(void **state)
{
	struct nf *list[40];
	char mac[MYR_MAC_STR_LEN];
	unsigned int i;

	(void)state;
	sleepers(list, 40, "--wake-timeout 10"); /* 10 us = 10000 cycles */
	for (i = 0; i < 40; i++) {
		snprintf(mac, sizeof(mac), "02:00:00:00:01:%02x", i);
		test_port_rx(0, test_mbuf(mac, 64));
	}
	round_at(1000000);
	assert_int_equal(woken(list, 40), 0);
	round_at(1000000 + 10000);
	assert_int_equal(woken(list, 40), 32); /* the burst */
	round_at(1000000 + 10000 + 4 * BUDGET_CYCLES);
	assert_int_equal(woken(list, 40), 36);
	round_at(1000000 + 10000 + 8 * BUDGET_CYCLES);
	assert_int_equal(woken(list, 40), 40);
}

/* B: batch wake-ups count against the budget too; those it defers come first after. */
static void
batch_budget(void **state)
{
	struct nf *list[40];
	char mac[MYR_MAC_STR_LEN];
	unsigned int i, k;

	(void)state;
	sleepers(list, 40, "--wake-batch 4 --wake-timeout 1000000");
	for (i = 0; i < 40; i++) {
		snprintf(mac, sizeof(mac), "02:00:00:00:01:%02x", i);
		for (k = 0; k < 4; k++)
			test_port_rx(0, test_mbuf(mac, 64));
	}
	for (k = 0; k < 5; k++) /* 160 packets: 5 rounds of 32 */
		round_at(1000000);
	assert_int_equal(woken(list, 40), 32);
	assert_int_equal(w->stats.kind[list[0]->kind][2], 8); /* wakes_deferred */
	round_at(1000000 + 8 * BUDGET_CYCLES);
	assert_int_equal(woken(list, 40), 40);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(mac_table, reset),
		cmocka_unit_test_teardown(chain_delivery, reset),
		cmocka_unit_test_teardown(rx_bursts, reset),
		cmocka_unit_test_teardown(active_list, reset),
		cmocka_unit_test_teardown(poll_backoff, reset),
		cmocka_unit_test_teardown(returned_buffers, reset),
		cmocka_unit_test_teardown(pool_share, reset),
		cmocka_unit_test_teardown(ring_full, reset),
		cmocka_unit_test_teardown(ring_indexes, reset),
		cmocka_unit_test_teardown(tenant_pool, reset),
		cmocka_unit_test_teardown(wake_batch, reset),
		cmocka_unit_test_teardown(wake_timeout, reset),
		cmocka_unit_test_teardown(wake_budget, reset),
		cmocka_unit_test_teardown(own_timeouts, reset),
		cmocka_unit_test_teardown(dozing, reset),
		cmocka_unit_test_teardown(batch_budget, reset),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
