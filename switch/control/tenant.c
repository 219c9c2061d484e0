/* SPDX-License-Identifier: BSD-3-Clause */
/* Tenants: their MAC addresses, output port and chain of NFs. */
#include <stdlib.h>

#include "control.h"

struct tenant_list tenants = TAILQ_HEAD_INITIALIZER(tenants);

struct tenant *
tenant_lookup(const char *name)
{
	struct tenant *t;

	TAILQ_FOREACH (t, &tenants, next)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

static struct tenant *
mac_owner(const uint8_t mac[MYR_MAC_ADDR_LEN])
{
	struct tenant *t;
	unsigned int i;

	TAILQ_FOREACH (t, &tenants, next)
		for (i = 0; i < t->n_macs; i++)
			if (memcmp(t->macs[i], mac, MYR_MAC_ADDR_LEN) == 0)
				return t;
	return NULL;
}

/* The lowest number no tenant has (1..SW_MAX_TENANTS), or 0. */
static uint32_t
id_alloc(void)
{
	static uint64_t used[(SW_MAX_TENANTS + 64) / 64];
	const struct tenant *t;
	uint32_t i;

	memset(used, 0, sizeof(used));
	TAILQ_FOREACH (t, &tenants, next)
		used[t->id / 64] |= 1ULL << (t->id % 64);
	for (i = 1; i <= SW_MAX_TENANTS; i++)
		if (!(used[i / 64] & 1ULL << (i % 64)))
			return i;
	return 0;
}

static bool
mac_is_zero(const uint8_t mac[MYR_MAC_ADDR_LEN])
{
	static const uint8_t zero[MYR_MAC_ADDR_LEN];

	return memcmp(mac, zero, MYR_MAC_ADDR_LEN) == 0;
}

int
tenant_add(const char *name, const uint8_t (*macs)[MYR_MAC_ADDR_LEN], unsigned int n_macs,
	   uint16_t port)
{
	struct tenant *t;
	unsigned int i, j;
	int ret;

	if (!myr_name_valid(name))
		return ctl_err(-EINVAL, "invalid tenant name '%s'", name);
	if (tenant_lookup(name) != NULL)
		return ctl_err(-EEXIST, "tenant %s exists", name);
	if (port >= sw.n_ports)
		return ctl_err(-ENODEV, "no port %u (the switch has %u)", port, sw.n_ports);
	if (n_macs == 0 || n_macs > SW_MAX_MACS)
		return ctl_err(-EINVAL, "a tenant needs 1 to %d MAC addresses", SW_MAX_MACS);
	for (i = 0; i < n_macs; i++) {
		char buf[MYR_MAC_STR_LEN];

		myr_mac_format(macs[i], buf);
		if (macs[i][0] & 1)
			return ctl_err(-EINVAL, "%s is a multicast address", buf);
		if (mac_is_zero(macs[i]))
			return ctl_err(-EINVAL, "%s is not a host's address", buf);
		t = mac_owner(macs[i]);
		if (t != NULL)
			return ctl_err(-EEXIST, "%s belongs to tenant %s", buf, t->name);
		for (j = 0; j < i; j++)
			if (memcmp(macs[j], macs[i], MYR_MAC_ADDR_LEN) == 0)
				return ctl_err(-EINVAL, "%s given twice", buf);
	}
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return ctl_err(-ENOMEM, "out of memory");
	t->id = id_alloc();
	if (t->id == 0) {
		free(t);
		return ctl_err(-ENOSPC, "%u tenants already", SW_MAX_TENANTS);
	}
	strcpy(t->name, name);
	t->port = port;
	t->n_macs = n_macs;
	memcpy(t->macs, macs, sizeof(*macs) * n_macs);
	TAILQ_INSERT_TAIL(&tenants, t, next);
	ret = fwd_publish();
	if (ret < 0) {
		TAILQ_REMOVE(&tenants, t, next);
		tp_put(t->tpool);
		free(t);
		return ret;
	}
	LOG(INFO, "tenant %s added: %u MACs, port %u", name, n_macs, port);
	return 0;
}

/*
 * Stop classification to the tenant first, let its chain empty, then stop its NFs.
 * Packets already in the chain finish it.
 */
int
tenant_del(struct tenant *t)
{
	struct nf *list[SW_MAX_CHAIN];
	unsigned int i, n = t->n_chain;
	uint16_t n_macs = t->n_macs;
	int ret;

	memcpy(list, t->chain, sizeof(list[0]) * n);
	t->n_macs = 0;
	ret = fwd_publish();
	if (ret < 0) {
		t->n_macs = n_macs;
		return ret;
	}
	nf_drain_wait(list, n);
	TAILQ_REMOVE(&tenants, t, next);
	for (i = 0; i < n; i++) {
		list[i]->tenant = NULL;
		list[i]->removed = true;
	}
	/* if this fails, the old snapshot still routes the NFs' packets along the chain;
	 * they are stopped anyway, and their reclaim publishes again (nf_gone) */
	if (fwd_publish() < 0)
		LOG(WARNING, "tenant %s: %s", t->name, ctl_errmsg());
	LOG(INFO, "tenant %s deleted", t->name);
	for (i = 0; i < n; i++)
		nf_stop(list[i]);
	tp_put(t->tpool); /* its NFs hold theirs until they are reclaimed */
	free(t);
	return 0;
}

void
tenants_fini(void)
{
	struct tenant *t;

	while ((t = TAILQ_FIRST(&tenants)) != NULL) {
		TAILQ_REMOVE(&tenants, t, next);
		free(t);
	}
}
