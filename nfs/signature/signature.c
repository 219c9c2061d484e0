/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * signature: the reference design's NF workload. Computes a signature over the first
 * 64 bytes of each packet, read-only, and forwards it.
 */
#include <stdio.h>
#include <stdlib.h>

#include <string.h>
#ifdef __SSE4_2__
#include <nmmintrin.h>
#endif

#include <myriad/nf.h>

struct sig_state {
	uint64_t n_pkts;
	uint32_t acc; /* folded signatures: keeps the work observable */
};

/* CRC32-C of up to the first 64 bytes: the hardware instruction where there is one. */
static uint32_t
signature(const uint8_t *p, uint32_t len)
{
	uint64_t crc = 0xffffffff, w;
	uint32_t i = 0;

	if (len > 64)
		len = 64;
#ifdef __SSE4_2__
	for (; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		crc = _mm_crc32_u64(crc, w);
	}
	for (; i < len; i++)
		crc = _mm_crc32_u8(crc, p[i]);
#else
	for (; i < len; i++) {
		w = p[i];
		crc = (crc ^ w) * 0x100000001b3ULL; /* FNV-1a step where CRC32 is missing */
	}
#endif
	return (uint32_t)crc;
}

static void
on_burst(struct rte_mbuf **pkts, uint8_t *verdicts, uint16_t n, void *arg)
{
	struct sig_state *st = arg;
	uint16_t i;

	(void)verdicts;
	for (i = 0; i < n; i++) {
		st->acc ^= signature(rte_pktmbuf_mtod(pkts[i], const uint8_t *),
				     rte_pktmbuf_data_len(pkts[i]));
	}
	st->n_pkts += n;
}

int
main(int argc, char **argv)
{
	struct myr_nf *nf;
	struct myr_nf_conf conf = { 0 };
	struct sig_state st = { 0 };
	int ret;

	argc = myr_nf_parse_args(&conf, argc, argv);
	if (argc != 1) {
		fprintf(stderr, "usage: %s [--switch PATH] --name NAME [--tenant T]\n", argv[0]);
		return 2;
	}
	nf = myr_nf_attach(&conf);
	if (nf == NULL) {
		fprintf(stderr, "signature: %s\n", myr_nf_last_error());
		return 1;
	}
	myr_nf_stop_on_signals(nf);
	ret = myr_nf_run(nf, on_burst, &st);
	if (getenv("MYRIAD_NF_VERBOSE") != NULL)
		fprintf(stderr, "signature %s: %llu packets, signature %08x\n", myr_nf_name(nf),
			(unsigned long long)st.n_pkts, st.acc);
	myr_nf_detach(nf);
	return ret < 0 ? 1 : 0;
}
