/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * myriad-gen's pure helpers: the test frame format, MAC parsing, per-flow sequence
 * accounting and the latency histogram; no EAL, so pkt_test.c exercises them directly.
 */
#ifndef MYRIAD_GEN_PKT_H
#define MYRIAD_GEN_PKT_H

#include <stddef.h>
#include <stdint.h>

#define PKT_ETHERTYPE 0x88b5      /* IEEE local experimental ethertype 1 */
#define PKT_MAGIC     0x4d47454eU /* "MGEN" when read as big-endian bytes */
#define PKT_ETH_LEN   14
#define PKT_MIN_SIZE  60   /* minimum Ethernet frame without CRC */
#define PKT_MAX_SIZE  1514 /* standard MTU frame without CRC */
/* Bytes a frame occupies on a real wire beyond its mbuf length: CRC 4 + preamble and
 * start delimiter 8 + inter-frame gap 12. */
#define PKT_WIRE_OVERHEAD 24

/*
 * Payload header following the Ethernet header. The magic is stored big-endian so a
 * capture shows "MGEN"; the other fields are in host order because the timestamp only
 * makes sense on the host that sent it (rte_rdtsc() of the same machine).
 * Packed: it starts at offset 14, so its u64 fields are not naturally aligned.
 */
struct pkt_hdr {
	uint32_t magic;
	uint32_t flow; /* index of the destination MAC in the generator's list */
	uint64_t seq;  /* per-flow sequence number, starting at 0 */
	uint64_t tsc;  /* rte_rdtsc() when the burst was built */
} __attribute__((packed));

#define PKT_HDR_END (PKT_ETH_LEN + sizeof(struct pkt_hdr))

/* A MAC address as the low 48 bits of an integer: network byte order, so that adding 1
 * increments the last byte with carries into the previous ones. */
int mac_parse(const char *s, uint64_t *mac);
void mac_format(uint64_t mac, char *buf, size_t size); /* size >= 18 */
void mac_to_bytes(uint64_t mac, uint8_t bytes[6]);
uint64_t mac_from_bytes(const uint8_t bytes[6]);

/* Write a complete test frame of `size` bytes (PKT_MIN_SIZE..PKT_MAX_SIZE) at buf. */
void pkt_build(void *buf, uint32_t size, const uint8_t dst[6], const uint8_t src[6], uint32_t flow,
	       uint64_t seq, uint64_t tsc);
/* Return 0 and fill *hdr if buf holds a myriad-gen frame, -EINVAL otherwise. */
int pkt_parse(const void *buf, uint32_t len, struct pkt_hdr *hdr);

/*
 * Receive-side state of one flow. A 64-bit window behind the highest sequence number
 * seen tells a late packet (reordered, fills a gap) from a second copy (duplicate),
 * the way IPsec anti-replay windows do; a packet older than the window is counted as
 * reordered because it can no longer be told apart.
 */
struct flow {
	uint64_t tx;      /* packets sent = next sequence number to send */
	uint64_t rx;      /* frames received, duplicates included */
	uint64_t max_seq; /* highest sequence number seen, valid once rx > 0 */
	uint64_t window;  /* bit i set: max_seq - i was seen */
	uint64_t dup;
	uint64_t reordered;
	uint64_t mac; /* destination MAC of the flow */
};

void flow_rx(struct flow *f, uint64_t seq);
/* Sequence numbers below the highest seen that never arrived. */
uint64_t flow_lost(const struct flow *f);

/*
 * Log-linear histogram of raw values (TSC cycles here): 16 linear buckets per power of
 * two, so any recorded value is within 1/16 (6 %) of its bucket's bounds, the whole
 * u64 range fits in 976 counters and adding a sample is a shift and an increment.
 */
#define HIST_SUB_BITS 4
#define HIST_SUB      (1u << HIST_SUB_BITS)
#define HIST_BUCKETS  ((64 - HIST_SUB_BITS + 1) * HIST_SUB)

struct hist {
	uint64_t n[HIST_BUCKETS];
	uint64_t count;
	uint64_t sum;
	uint64_t max;
};

static inline unsigned int
hist_bucket(uint64_t v)
{
	unsigned int shift;

	if (v < HIST_SUB)
		return (unsigned int)v;
	shift = 63 - (unsigned int)__builtin_clzll(v) - HIST_SUB_BITS;
	return (shift + 1) * HIST_SUB + (unsigned int)((v >> shift) & (HIST_SUB - 1));
}

static inline void
hist_add(struct hist *h, uint64_t v)
{
	h->n[hist_bucket(v)]++;
	h->count++;
	h->sum += v;
	if (v > h->max)
		h->max = v;
}

/* Smallest value of bucket b and its width. */
uint64_t hist_bucket_low(unsigned int b);
uint64_t hist_bucket_width(unsigned int b);
/*
 * Value at quantile q (0 < q <= 1) of the samples in h minus those in base (base may be
 * NULL; it is an earlier snapshot of h, to get the percentiles of one interval). Returns
 * the middle of the bucket holding that rank, or 0 when there are no samples.
 */
double hist_quantile(const struct hist *h, const struct hist *base, double q);

/*
 * Spread weighted items over one cycle: item i fills weights[i] of the cycle's
 * sum(weights) slots, its k-th appearance placed at its fair share of the cycle
 * ((k + 1/2) / weights[i]), ties to the lower index. Equal weights give plain
 * round-robin, and any window of the cycle holds the mix to within one item of each.
 * Writes item indexes to out; returns the cycle length, or 0 when n is 0, a weight is
 * 0 or the cycle would be longer than max (or memory ran out).
 */
uint32_t pkt_weighted_cycle(const uint32_t *weights, uint32_t n, uint32_t *out, uint32_t max);

#endif /* MYRIAD_GEN_PKT_H */
