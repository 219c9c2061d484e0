/* SPDX-License-Identifier: BSD-3-Clause */
/* firewall's rules and their match on one frame: shared by the process NF
 * (firewall.c) and the test that holds its eBPF version (firewall.bpf.c) to the same
 * result. */
#ifndef MYRIAD_NF_FIREWALL_H
#define MYRIAD_NF_FIREWALL_H

#include <stdint.h>
#include <string.h>

#define FW_MAX_RULES 64

enum fw_rule_kind { FW_ETHERTYPE, FW_SRC_MAC, FW_LEN_OVER };

struct fw_rule {
	enum fw_rule_kind kind;
	uint8_t ethertype[2]; /* as on the wire */
	uint8_t mac[6];
	uint32_t len;
};

struct fw_rules {
	unsigned int n;
	struct fw_rule r[FW_MAX_RULES];
};

/* Does a rule drop this frame (len bytes, at least an Ethernet header)? */
static inline int
fw_drops(const struct fw_rules *fw, const uint8_t *frame, uint32_t len)
{
	unsigned int i;

	for (i = 0; i < fw->n; i++) {
		const struct fw_rule *r = &fw->r[i];

		if ((r->kind == FW_ETHERTYPE && memcmp(frame + 12, r->ethertype, 2) == 0) ||
		    (r->kind == FW_SRC_MAC && memcmp(frame + 6, r->mac, 6) == 0) ||
		    (r->kind == FW_LEN_OVER && len > r->len))
			return 1;
	}
	return 0;
}

#endif
