/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The forwarding snapshot: built whole from the registry, published with a release
 * store, and freed after a grace period (struct sw). The only writer of sw.fwd.
 */
#include <stdlib.h>

#include "control.h"
#include "transport.h"

static struct fwd_hop
hop_to(const struct tenant *t, unsigned int pos)
{
	struct fwd_hop h = { .next = SW_HOP_NONE, .port = t->port };

	if (pos < t->n_chain) {
		const struct nf *nf = t->chain[pos];

		if (nf->state == NF_UP)
			h.next = nf->slot;
		else
			h.down = 1;
	}
	return h;
}

static void
fwd_free(struct fwd *f)
{
	if (f == NULL)
		return;
	free(f->macs);
	free(f->slots);
	free(f);
}

static struct fwd_slot
slot_of(const struct nf *nf, struct fwd_hop hop)
{
	struct fwd_slot fs = { .hop = hop,
			       .gen = nf->gen,
			       .kind = nf->kind,
			       .tpool = nf->tpool != NULL ? nf->tpool->id : TP_NONE };

	if (nf->tr->fwd_params != NULL)
		nf->tr->fwd_params(nf, &fs.params);
	return fs;
}

/*
 * Build a snapshot from the registry. NFs that have a slot but are no longer in a
 * chain (being drained by nf_del) keep the hop they were given when removed.
 */
static struct fwd *
fwd_build(const struct fwd *old)
{
	struct fwd *f = calloc(1, sizeof(*f));
	unsigned int n_macs = 0, size = 16, i;
	struct tenant *t;
	struct nf *nf;

	if (f == NULL)
		return NULL;
	TAILQ_FOREACH (t, &tenants, next)
		n_macs += t->n_macs;
	/* at most half full, so that a miss ends quickly */
	while (size < 2 * n_macs)
		size <<= 1;
	f->mac_mask = size - 1;
	f->mac_shift = 64 - __builtin_ctz(size);
	f->macs = malloc(sizeof(*f->macs) * size);
	f->slots = calloc(sw.conf.max_nfs, sizeof(*f->slots));
	if (f->macs == NULL || f->slots == NULL) {
		fwd_free(f);
		return NULL;
	}
	for (i = 0; i < size; i++)
		f->macs[i].key = FWD_MAC_EMPTY;
	TAILQ_FOREACH (t, &tenants, next) {
		struct fwd_hop first = hop_to(t, 0);

		for (i = 0; i < t->n_macs; i++) {
			uint64_t key = fwd_mac_key(t->macs[i]);
			uint32_t h = fwd_mac_slot(key, f->mac_shift);

			while (f->macs[h].key != FWD_MAC_EMPTY)
				h = (h + 1) & f->mac_mask;
			f->macs[h].key = key;
			f->macs[h].first = first;
		}
		for (i = 0; i < t->n_chain; i++)
			if (t->chain[i]->state == NF_UP)
				f->slots[t->chain[i]->slot] =
					slot_of(t->chain[i], hop_to(t, i + 1));
	}
	TAILQ_FOREACH (nf, &nfs, next)
		if (nf->slot >= 0 && nf->state == NF_UP && nf->tenant == NULL && old != NULL)
			f->slots[nf->slot] = slot_of(nf, old->slots[nf->slot].hop);
	f->has_default = sw.conf.default_port >= 0;
	f->default_port = f->has_default ? sw.conf.default_port : 0;
	return f;
}

/*
 * Publish a snapshot of the registry and wait until the data path uses it. On
 * failure nothing changed: the data path keeps the old snapshot.
 */
int
fwd_publish(void)
{
	struct fwd *old = sw.fwd, *f = fwd_build(old);

	if (f == NULL)
		return ctl_err(-ENOMEM, "out of memory building the forwarding table");
	__atomic_store_n(&sw.fwd, f, __ATOMIC_RELEASE);
	sw_sync();
	fwd_free(old);
	return 0;
}

int
fwd_init(void)
{
	sw.fwd = fwd_build(NULL);
	return sw.fwd != NULL ? 0 : -ENOMEM;
}

void
fwd_fini(void)
{
	fwd_free(sw.fwd);
	sw.fwd = NULL;
}
