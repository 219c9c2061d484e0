/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of myriad-gen's frame builder and parser, flow accounting, histogram and
 * weighted cycles. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pkt.h"

static void
test_mac_parse(void **state)
{
	uint64_t mac;
	char buf[18];

	(void)state;
	assert_int_equal(mac_parse("02:00:00:00:ff:0A", &mac), 0);
	assert_true(mac == 0x02000000ff0aULL);
	mac_format(mac, buf, sizeof(buf));
	assert_string_equal(buf, "02:00:00:00:ff:0a");
	assert_int_equal(mac_parse("02:00:00:00:ff", &mac), -EINVAL);
	assert_int_equal(mac_parse("02:00:00:00:ff:0a:", &mac), -EINVAL);
	assert_int_equal(mac_parse("02-00-00-00-ff-0a", &mac), -EINVAL);
	assert_int_equal(mac_parse("2:00:00:00:ff:0a", &mac), -EINVAL);
	assert_int_equal(mac_parse("", &mac), -EINVAL);
	/* a range base + 1 carries into the next byte */
	assert_int_equal(mac_parse("02:00:00:00:00:ff", &mac), 0);
	mac_format(mac + 1, buf, sizeof(buf));
	assert_string_equal(buf, "02:00:00:00:01:00");
}

static void
test_pkt_roundtrip(void **state)
{
	uint8_t frame[PKT_MAX_SIZE];
	uint8_t dst[6] = { 2, 0, 0, 0, 0, 7 }, src[6] = { 2, 0, 0, 0, 0xff, 0xff };
	struct pkt_hdr h;
	uint32_t i;

	(void)state;
	memset(frame, 0xa5, sizeof(frame));
	pkt_build(frame, PKT_MIN_SIZE, dst, src, 6, 1234567890123ULL, 42);
	assert_memory_equal(frame, dst, 6);
	assert_memory_equal(frame + 6, src, 6);
	assert_int_equal(frame[12], 0x88);
	assert_int_equal(frame[13], 0xb5);
	assert_memory_equal(frame + 14, "MGEN", 4); /* readable in a capture */
	for (i = PKT_HDR_END; i < PKT_MIN_SIZE; i++)
		assert_int_equal(frame[i], 0);
	assert_int_equal(frame[PKT_MIN_SIZE], 0xa5); /* nothing written past the size */

	assert_int_equal(pkt_parse(frame, PKT_MIN_SIZE, &h), 0);
	assert_int_equal(h.flow, 6);
	assert_true(h.seq == 1234567890123ULL);
	assert_true(h.tsc == 42);

	/* a full-size frame zero-fills to its end */
	pkt_build(frame, PKT_MAX_SIZE, dst, src, 0, 0, 0);
	assert_int_equal(frame[PKT_MAX_SIZE - 1], 0);
}

static void
test_pkt_foreign(void **state)
{
	uint8_t frame[PKT_MIN_SIZE];
	uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };
	struct pkt_hdr h;

	(void)state;
	pkt_build(frame, sizeof(frame), mac, mac, 0, 0, 0);
	assert_int_equal(pkt_parse(frame, PKT_HDR_END - 1, &h), -EINVAL); /* truncated */
	assert_int_equal(pkt_parse(frame, PKT_HDR_END, &h), 0);
	frame[13] = 0x00; /* IPv4-like ethertype */
	frame[12] = 0x08;
	assert_int_equal(pkt_parse(frame, sizeof(frame), &h), -EINVAL);
	pkt_build(frame, sizeof(frame), mac, mac, 0, 0, 0);
	frame[PKT_ETH_LEN + 3] ^= 1; /* magic */
	assert_int_equal(pkt_parse(frame, sizeof(frame), &h), -EINVAL);
}

static void
feed(struct flow *f, const uint64_t *seqs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		flow_rx(f, seqs[i]);
}

static void
test_flow_in_order(void **state)
{
	struct flow f = { 0 };
	uint64_t s;

	(void)state;
	assert_true(flow_lost(&f) == 0);
	for (s = 0; s < 1000; s++)
		flow_rx(&f, s);
	assert_true(f.rx == 1000 && f.max_seq == 999);
	assert_true(flow_lost(&f) == 0 && f.reordered == 0 && f.dup == 0);
}

static void
test_flow_gaps_reorder_dup(void **state)
{
	struct flow f = { 0 };
	/* 2 and 5 are late, 3 arrives twice, 7 and 8 never arrive */
	const uint64_t seqs[] = { 0, 1, 3, 4, 2, 6, 5, 3, 9 };

	(void)state;
	feed(&f, seqs, sizeof(seqs) / sizeof(seqs[0]));
	assert_true(f.max_seq == 9);
	assert_true(f.reordered == 2);
	assert_true(f.dup == 1);
	assert_true(flow_lost(&f) == 2);
}

static void
test_flow_window_edges(void **state)
{
	struct flow f = { 0 };

	(void)state;
	/* A first packet that is not seq 0 means the earlier ones were lost. */
	flow_rx(&f, 5);
	assert_true(flow_lost(&f) == 5);
	/* Late by 63: still inside the window, so a copy of it is a duplicate. */
	flow_rx(&f, 68);
	flow_rx(&f, 5 + 0);
	assert_true(f.dup == 1);
	flow_rx(&f, 68 - 63);
	assert_true(f.dup == 2);
	/* Late by 64 or more: cannot be told from a copy, counted as reordered. */
	flow_rx(&f, 4);
	assert_true(f.reordered == 1);
	/* A jump beyond the window starts a fresh one. */
	flow_rx(&f, 1000);
	flow_rx(&f, 999);
	assert_true(f.reordered == 2 && f.dup == 2);
	flow_rx(&f, 999);
	assert_true(f.dup == 3);
	/* unique: 5, 68, 4, 1000, 999 of 0..1000 */
	assert_true(flow_lost(&f) == 1001 - 5);
}

static void
test_hist_buckets(void **state)
{
	uint64_t v;
	unsigned int b, prev = 0;

	(void)state;
	/* Every value lies inside its bucket, and buckets are contiguous and ordered. */
	for (v = 0; v < 100000; v++) {
		b = hist_bucket(v);
		assert_true(b >= prev && b < HIST_BUCKETS);
		assert_true(v >= hist_bucket_low(b));
		assert_true(v < hist_bucket_low(b) + hist_bucket_width(b));
		prev = b;
	}
	for (b = 1; b < HIST_BUCKETS; b++)
		assert_true(hist_bucket_low(b) ==
			    hist_bucket_low(b - 1) + hist_bucket_width(b - 1));
	assert_int_equal(hist_bucket(UINT64_MAX), HIST_BUCKETS - 1);
	/* relative width at most 1/16 above the linear range */
	for (b = HIST_SUB; b < HIST_BUCKETS; b++)
		assert_true(hist_bucket_width(b) * HIST_SUB <= hist_bucket_low(b));
}

static struct hist h1, h2;

static void
test_hist_quantiles(void **state)
{
	uint64_t v;
	double p50, p99;

	(void)state;
	memset(&h1, 0, sizeof(h1));
	assert_true(hist_quantile(&h1, NULL, 0.5) == 0);
	/* 1..10000: the quantiles must be within the 1/16 resolution */
	for (v = 1; v <= 10000; v++)
		hist_add(&h1, v);
	p50 = hist_quantile(&h1, NULL, 0.5);
	p99 = hist_quantile(&h1, NULL, 0.99);
	assert_true(p50 > 5000 * 0.94 && p50 < 5000 * 1.07);
	assert_true(p99 > 9900 * 0.94 && p99 < 9900 * 1.07);
	assert_true(hist_quantile(&h1, NULL, 1.0) <= 10000);
	assert_true(h1.max == 10000 && h1.count == 10000);
	assert_true(h1.sum == 10000ULL * 10001 / 2);

	/* small values are exact */
	memset(&h2, 0, sizeof(h2));
	hist_add(&h2, 3);
	hist_add(&h2, 3);
	hist_add(&h2, 7);
	assert_true(hist_quantile(&h2, NULL, 0.5) == 3);
	assert_true(hist_quantile(&h2, NULL, 0.999) == 7);

	/* an interval = the difference from an earlier snapshot */
	h2 = h1;
	for (v = 0; v < 100; v++)
		hist_add(&h1, 1000000);
	assert_true(hist_quantile(&h1, &h2, 0.5) > 1000000 * 0.94);
	assert_true(hist_quantile(&h1, &h2, 0.5) <= 1000000);
}

static void
test_weighted_cycle(void **state)
{
	const uint32_t ones[4] = { 1, 1, 1, 1 }, imix[3] = { 7, 4, 1 }, zero[2] = { 1, 0 };
	uint32_t out[64], seen[3] = { 0 }, i, n;

	(void)state;
	/* equal weights: plain round-robin */
	assert_int_equal(pkt_weighted_cycle(ones, 4, out, 64), 4);
	for (i = 0; i < 4; i++)
		assert_int_equal(out[i], i);
	/* 7:4:1: exact counts, and spread: the heavy item never three times in a row and
	 * every window of 3 has it at least once */
	n = pkt_weighted_cycle(imix, 3, out, 64);
	assert_int_equal(n, 12);
	for (i = 0; i < n; i++)
		seen[out[i]]++;
	assert_int_equal(seen[0], 7);
	assert_int_equal(seen[1], 4);
	assert_int_equal(seen[2], 1);
	for (i = 0; i + 2 < n; i++) {
		uint32_t heavy = (out[i] == 0) + (out[i + 1] == 0) + (out[i + 2] == 0);

		assert_true(heavy >= 1 && heavy <= 2);
	}
	/* refusals: a zero weight, nothing, too long */
	assert_int_equal(pkt_weighted_cycle(zero, 2, out, 64), 0);
	assert_int_equal(pkt_weighted_cycle(ones, 0, out, 64), 0);
	assert_int_equal(pkt_weighted_cycle(imix, 3, out, 11), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mac_parse),
		cmocka_unit_test(test_pkt_roundtrip),
		cmocka_unit_test(test_pkt_foreign),
		cmocka_unit_test(test_flow_in_order),
		cmocka_unit_test(test_flow_gaps_reorder_dup),
		cmocka_unit_test(test_flow_window_edges),
		cmocka_unit_test(test_hist_buckets),
		cmocka_unit_test(test_hist_quantiles),
		cmocka_unit_test(test_weighted_cycle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
