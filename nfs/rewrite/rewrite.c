/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rewrite: an NF that modifies packets. Sets the source and/or destination MAC
 * address of every packet (what a router or a MAC-translating NF does), and can
 * decrement the IPv4 TTL, dropping packets whose TTL runs out.
 */
#include <stdio.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>

#include <myriad/nf.h>

struct rewrite {
	int set_src, set_dst, dec_ttl;
	struct rte_ether_addr src, dst;
};

static void
on_burst(struct rte_mbuf **pkts, uint8_t *verdicts, uint16_t n, void *arg)
{
	const struct rewrite *rw = arg;
	uint16_t i;

	for (i = 0; i < n; i++) {
		struct rte_ether_hdr *eth = rte_pktmbuf_mtod(pkts[i], struct rte_ether_hdr *);

		if (rw->set_src)
			rte_ether_addr_copy(&rw->src, &eth->src_addr);
		if (rw->set_dst)
			rte_ether_addr_copy(&rw->dst, &eth->dst_addr);
		if (rw->dec_ttl && eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) &&
		    rte_pktmbuf_data_len(pkts[i]) >= sizeof(*eth) + sizeof(struct rte_ipv4_hdr)) {
			struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);

			if (ip->time_to_live <= 1) {
				verdicts[i] = MYR_V_DROP;
				continue;
			}
			ip->time_to_live--;
			/* RFC 1624 incremental update: TTL is the high byte of its word */
			uint32_t sum = (uint16_t)~rte_be_to_cpu_16(ip->hdr_checksum) + 0xfeff;

			sum = (sum & 0xffff) + (sum >> 16);
			ip->hdr_checksum = rte_cpu_to_be_16(~sum & 0xffff);
		}
	}
}

int
main(int argc, char **argv)
{
	struct myr_nf *nf;
	struct myr_nf_conf conf = { 0 };
	struct rewrite rw = { 0 };
	int i, ret;

	argc = myr_nf_parse_args(&conf, argc, argv);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--src-mac") == 0 && i + 1 < argc &&
		    myr_ether_aton(argv[i + 1], &rw.src) == 0) {
			rw.set_src = 1;
			i++;
		} else if (strcmp(argv[i], "--dst-mac") == 0 && i + 1 < argc &&
			   myr_ether_aton(argv[i + 1], &rw.dst) == 0) {
			rw.set_dst = 1;
			i++;
		} else if (strcmp(argv[i], "--dec-ttl") == 0) {
			rw.dec_ttl = 1;
		} else {
			fprintf(stderr,
				"usage: %s [--switch PATH] --name NAME [--tenant T] [--src-mac "
				"MAC] "
				"[--dst-mac MAC] [--dec-ttl]\n",
				argv[0]);
			return 2;
		}
	}
	nf = myr_nf_attach(&conf);
	if (nf == NULL) {
		fprintf(stderr, "rewrite: %s\n", myr_nf_last_error());
		return 1;
	}
	myr_nf_stop_on_signals(nf);
	ret = myr_nf_run(nf, on_burst, &rw);
	myr_nf_detach(nf);
	return ret < 0 ? 1 : 0;
}
