/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * firewall: an NF that drops by rule. Rules match the EtherType, the source MAC, or
 * the frame length; the first matching rule decides, and unmatched packets pass.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ether.h>

#include <myriad/nf.h>

#define MAX_RULES 64

enum rule_kind { R_ETHERTYPE, R_SRC_MAC, R_LEN_OVER };

struct rule {
	enum rule_kind kind;
	uint16_t ethertype; /* network order */
	uint32_t len;
	struct rte_ether_addr mac;
};

struct firewall {
	unsigned int n_rules;
	struct rule rules[MAX_RULES];
	uint64_t n_dropped, n_passed;
};

static int
rule_match(const struct rule *r, const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

	switch (r->kind) {
	case R_ETHERTYPE:
		return eth->ether_type == r->ethertype;
	case R_SRC_MAC:
		return rte_is_same_ether_addr(&eth->src_addr, &r->mac);
	case R_LEN_OVER:
		return rte_pktmbuf_pkt_len(m) > r->len;
	}
	return 0;
}

static void
on_burst(struct rte_mbuf **pkts, uint8_t *verdicts, uint16_t n, void *arg)
{
	struct firewall *fw = arg;
	uint16_t i;
	unsigned int r;

	for (i = 0; i < n; i++) {
		for (r = 0; r < fw->n_rules; r++)
			if (rule_match(&fw->rules[r], pkts[i]))
				break;
		if (r < fw->n_rules) {
			verdicts[i] = MYR_V_DROP;
			fw->n_dropped++;
		} else {
			fw->n_passed++;
		}
	}
}

static int
rule_parse(struct firewall *fw, const char *opt, const char *val)
{
	struct rule *r = &fw->rules[fw->n_rules];
	char *end;
	unsigned long v;

	if (fw->n_rules == MAX_RULES)
		return -1;
	if (strcmp(opt, "--drop-src-mac") == 0) {
		r->kind = R_SRC_MAC;
		if (myr_ether_aton(val, &r->mac) < 0)
			return -1;
	} else {
		v = strtoul(val, &end, 0);
		if (*val == '\0' || *end != '\0')
			return -1;
		if (strcmp(opt, "--drop-ethertype") == 0 && v <= 0xffff) {
			r->kind = R_ETHERTYPE;
			r->ethertype = rte_cpu_to_be_16(v);
		} else if (strcmp(opt, "--drop-len-over") == 0 && v <= UINT32_MAX) {
			r->kind = R_LEN_OVER;
			r->len = v;
		} else {
			return -1;
		}
	}
	fw->n_rules++;
	return 0;
}

int
main(int argc, char **argv)
{
	struct myr_nf *nf;
	struct myr_nf_conf conf = { 0 };
	static struct firewall fw;
	int i, ret;

	argc = myr_nf_parse_args(&conf, argc, argv);
	for (i = 1; i < argc; i += 2) {
		if (i + 1 >= argc || rule_parse(&fw, argv[i], argv[i + 1]) < 0) {
			fprintf(stderr,
				"usage: %s [--switch PATH] --name NAME [--tenant T] "
				"[--drop-ethertype N] [--drop-src-mac MAC] [--drop-len-over "
				"N]...\n",
				argv[0]);
			return 2;
		}
	}
	nf = myr_nf_attach(&conf);
	if (nf == NULL) {
		fprintf(stderr, "firewall: %s\n", myr_nf_last_error());
		return 1;
	}
	myr_nf_stop_on_signals(nf);
	ret = myr_nf_run(nf, on_burst, &fw);
	if (getenv("MYRIAD_NF_VERBOSE") != NULL)
		fprintf(stderr, "firewall %s: passed %llu dropped %llu\n", myr_nf_name(nf),
			(unsigned long long)fw.n_passed, (unsigned long long)fw.n_dropped);
	myr_nf_detach(nf);
	return ret < 0 ? 1 : 0;
}
