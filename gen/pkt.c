/* SPDX-License-Identifier: BSD-3-Clause */
/* myriad-gen's frame format, MAC parsing, flow accounting and latency histogram. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <myriad/names.h>

#include "pkt.h"

/* The project's one MAC parser (lib/names.c), packed as the generator counts them. */
int
mac_parse(const char *s, uint64_t *mac)
{
	uint8_t b[MYR_MAC_ADDR_LEN];
	uint64_t v = 0;
	int i;

	if (myr_mac_parse(s, b) < 0)
		return -EINVAL;
	for (i = 0; i < MYR_MAC_ADDR_LEN; i++)
		v = (v << 8) | b[i];
	*mac = v;
	return 0;
}

void
mac_format(uint64_t mac, char *buf, size_t size)
{
	uint8_t b[6];

	mac_to_bytes(mac, b);
	snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
}

void
mac_to_bytes(uint64_t mac, uint8_t bytes[6])
{
	int i;

	for (i = 5; i >= 0; i--) {
		bytes[i] = (uint8_t)mac;
		mac >>= 8;
	}
}

uint64_t
mac_from_bytes(const uint8_t bytes[6])
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 6; i++)
		v = (v << 8) | bytes[i];
	return v;
}

void
pkt_build(void *buf, uint32_t size, const uint8_t dst[6], const uint8_t src[6], uint32_t flow,
	  uint64_t seq, uint64_t tsc)
{
	uint8_t *p = buf;
	struct pkt_hdr h = {
		.magic = __builtin_bswap32(PKT_MAGIC),
		.flow = flow,
		.seq = seq,
		.tsc = tsc,
	};

	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	p[12] = PKT_ETHERTYPE >> 8;
	p[13] = PKT_ETHERTYPE & 0xff;
	memcpy(p + PKT_ETH_LEN, &h, sizeof(h));
	/* Pool buffers hold whatever their last user wrote: zero it so that frames are
	 * reproducible and leak nothing between tenants. */
	memset(p + PKT_HDR_END, 0, size - PKT_HDR_END);
}

int
pkt_parse(const void *buf, uint32_t len, struct pkt_hdr *hdr)
{
	const uint8_t *p = buf;

	if (len < PKT_HDR_END)
		return -EINVAL;
	if (p[12] != (PKT_ETHERTYPE >> 8) || p[13] != (PKT_ETHERTYPE & 0xff))
		return -EINVAL;
	memcpy(hdr, p + PKT_ETH_LEN, sizeof(*hdr));
	if (hdr->magic != __builtin_bswap32(PKT_MAGIC))
		return -EINVAL;
	return 0;
}

void
flow_rx(struct flow *f, uint64_t seq)
{
	uint64_t d;

	if (f->rx++ == 0) {
		f->max_seq = seq;
		f->window = 1;
		return;
	}
	if (seq > f->max_seq) {
		d = seq - f->max_seq;
		f->window = d >= 64 ? 1 : (f->window << d) | 1;
		f->max_seq = seq;
		return;
	}
	d = f->max_seq - seq;
	if (d >= 64) {
		f->reordered++;
	} else if (f->window & (1ULL << d)) {
		f->dup++;
	} else {
		f->window |= 1ULL << d;
		f->reordered++;
	}
}

uint64_t
flow_lost(const struct flow *f)
{
	uint64_t unique;

	if (f->rx == 0)
		return 0;
	unique = f->rx - f->dup;
	/* A copy older than the window counts as unique: never report negative loss. */
	return f->max_seq + 1 > unique ? f->max_seq + 1 - unique : 0;
}

uint64_t
hist_bucket_low(unsigned int b)
{
	unsigned int shift;

	if (b < HIST_SUB)
		return b;
	shift = b / HIST_SUB - 1;
	return (uint64_t)(HIST_SUB + b % HIST_SUB) << shift;
}

uint64_t
hist_bucket_width(unsigned int b)
{
	if (b < HIST_SUB)
		return 1;
	return 1ULL << (b / HIST_SUB - 1);
}

double
hist_quantile(const struct hist *h, const struct hist *base, double q)
{
	uint64_t count = h->count - (base ? base->count : 0);
	uint64_t rank, seen = 0;
	unsigned int b;

	if (count == 0)
		return 0;
	/* The rank-th smallest sample, 1-based: ceil(q * count), at least 1. */
	rank = (uint64_t)ceil(q * (double)count);
	if (rank < 1)
		rank = 1;
	if (rank > count)
		rank = count;
	for (b = 0; b < HIST_BUCKETS; b++) {
		seen += h->n[b] - (base ? base->n[b] : 0);
		if (seen >= rank) {
			double mid =
				(double)hist_bucket_low(b) + (double)(hist_bucket_width(b) - 1) / 2;

			/* The top bucket's middle may lie beyond the largest sample. */
			return mid > (double)h->max ? (double)h->max : mid;
		}
	}
	return (double)h->max;
}

struct slot_time {
	uint32_t item;
	uint32_t k; /* appearance number */
	uint32_t w;
};

/* (k1 + 1/2) / w1 against (k2 + 1/2) / w2, exactly, in integers. */
static int
slot_cmp(const void *a, const void *b)
{
	const struct slot_time *x = a, *y = b;
	uint64_t l = (2 * (uint64_t)x->k + 1) * y->w, r = (2 * (uint64_t)y->k + 1) * x->w;

	if (l != r)
		return l < r ? -1 : 1;
	return x->item < y->item ? -1 : x->item > y->item;
}

uint32_t
pkt_weighted_cycle(const uint32_t *weights, uint32_t n, uint32_t *out, uint32_t max)
{
	struct slot_time *t;
	uint64_t total = 0;
	uint32_t i, k, j = 0;

	for (i = 0; i < n; i++) {
		if (weights[i] == 0)
			return 0;
		total += weights[i];
	}
	if (n == 0 || total > max)
		return 0;
	t = malloc(total * sizeof(*t));
	if (t == NULL)
		return 0;
	for (i = 0; i < n; i++)
		for (k = 0; k < weights[i]; k++)
			t[j++] = (struct slot_time){ .item = i, .k = k, .w = weights[i] };
	qsort(t, total, sizeof(*t), slot_cmp);
	for (j = 0; j < total; j++)
		out[j] = t[j].item;
	free(t);
	return (uint32_t)total;
}
