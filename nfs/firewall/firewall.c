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

#include "firewall.h"

struct firewall {
	struct fw_rules rules;
	uint64_t n_dropped, n_passed;
};

static void
on_burst(struct rte_mbuf **pkts, uint8_t *verdicts, uint16_t n, void *arg)
{
	struct firewall *fw = arg;
	uint16_t i;

	for (i = 0; i < n; i++) {
		if (fw_drops(&fw->rules, rte_pktmbuf_mtod(pkts[i], const uint8_t *),
			     rte_pktmbuf_pkt_len(pkts[i]))) {
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
	struct fw_rule *r = &fw->rules.r[fw->rules.n];
	struct rte_ether_addr mac;
	char *end;
	unsigned long v;

	if (fw->rules.n == FW_MAX_RULES)
		return -1;
	if (strcmp(opt, "--drop-src-mac") == 0) {
		r->kind = FW_SRC_MAC;
		if (myr_ether_aton(val, &mac) < 0)
			return -1;
		memcpy(r->mac, mac.addr_bytes, sizeof(r->mac));
	} else {
		v = strtoul(val, &end, 0);
		if (*val == '\0' || *end != '\0')
			return -1;
		if (strcmp(opt, "--drop-ethertype") == 0 && v <= 0xffff) {
			r->kind = FW_ETHERTYPE;
			r->ethertype[0] = v >> 8;
			r->ethertype[1] = v & 0xff;
		} else if (strcmp(opt, "--drop-len-over") == 0 && v <= UINT32_MAX) {
			r->kind = FW_LEN_OVER;
			r->len = v;
		} else {
			return -1;
		}
	}
	fw->rules.n++;
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
