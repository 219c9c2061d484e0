/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NFs as members of a tenant's chain: add, delete, settings; the slot (channel and
 * counters) an NF holds while it runs; attach, stop, and the reclaim of everything it
 * held when it goes. What is particular to a kind of NF is its transport's
 * (transport.h); what is particular to a process is proc.c's, and nf_gone() is where
 * the two meet: the process is gone, the slot is taken back.
 */
#include <stdlib.h>

#include <rte_cycles.h>
#include <rte_version.h>

#include "transport.h"

const char *const nf_state_names[] = {
	[NF_DOWN] = "down",
	[NF_STARTING] = "starting",
	[NF_UP] = "up",
	[NF_DYING] = "dying",
};

struct nf_list nfs = TAILQ_HEAD_INITIALIZER(nfs);

/* Adding a transport: its control table in this list. */
static const struct ctl_transport *const transport_list[] = { &ctl_tr_poll, &ctl_tr_block,
							      &ctl_tr_bpf };

static uint32_t *free_slots; /* stack of unused slot indexes */
static uint32_t n_free;
static uint32_t attach_gen; /* tells the data path that a slot changed hands */

const struct ctl_transport *
ctl_transport(enum myr_transport kind)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(transport_list); i++)
		if (transport_list[i]->kind == kind)
			return transport_list[i];
	return NULL;
}

unsigned int
ctl_transports(const struct ctl_transport *const **list)
{
	*list = transport_list;
	return RTE_DIM(transport_list);
}

/* --- slots --- */

int
nf_registry_init(void)
{
	uint32_t i;

	free_slots = malloc(sizeof(*free_slots) * sw.conf.max_nfs);
	if (free_slots == NULL)
		return -ENOMEM;
	/* hand out low slots first: their channels are contiguous and warm */
	for (i = 0; i < sw.conf.max_nfs; i++)
		free_slots[i] = sw.conf.max_nfs - 1 - i;
	n_free = sw.conf.max_nfs;
	return 0;
}

uint32_t
nf_slots_used(void)
{
	return sw.conf.max_nfs - n_free;
}

static int
slot_alloc(void)
{
	uint32_t s;

	if (n_free == 0)
		return ctl_err(-ENOSPC, "all %u NF slots are taken (see --max-nfs)",
			       sw.conf.max_nfs);
	s = free_slots[--n_free];
	memset(&sw.slot_stats[s], 0, sizeof(sw.slot_stats[s]));
	return (int)s;
}

static void
slot_free(uint32_t s)
{
	free_slots[n_free++] = s;
}

/* --- NF objects --- */

struct nf *
nf_lookup(const char *name)
{
	struct nf *nf;

	TAILQ_FOREACH (nf, &nfs, next)
		if (strcmp(nf->name, name) == 0 && !nf->removed)
			return nf;
	return NULL;
}

void
nf_free(struct nf *nf)
{
	TAILQ_REMOVE(&nfs, nf, next);
	if (nf->tr->nf_fini != NULL)
		nf->tr->nf_fini(nf);
	proc_destroy(nf->proc);
	free(nf);
}

void
nf_registry_fini(void)
{
	while (!TAILQ_EMPTY(&nfs))
		nf_free(TAILQ_FIRST(&nfs));
	free(free_slots);
	free_slots = NULL;
}

static void
chain_remove(struct tenant *t, struct nf *nf)
{
	unsigned int i;

	for (i = 0; i < t->n_chain; i++)
		if (t->chain[i] == nf)
			break;
	if (i == t->n_chain)
		return;
	memmove(&t->chain[i], &t->chain[i + 1], sizeof(t->chain[0]) * (t->n_chain - i - 1));
	t->n_chain--;
}

/* A new NF in its tenant's chain, not published yet. */
static int
nf_insert(const char *name, struct tenant *t, int pos, enum myr_transport kind, char **exec_argv,
	  struct nf **out)
{
	const struct ctl_transport *tr = ctl_transport(kind);
	struct nf *nf;

	if (!myr_name_valid(name))
		return ctl_err(-EINVAL, "invalid NF name '%s'", name);
	if (nf_lookup(name) != NULL)
		return ctl_err(-EEXIST, "NF %s exists", name);
	if (tr == NULL)
		return ctl_err(-EINVAL, "unknown transport %u", kind);
	if (t->n_chain >= SW_MAX_CHAIN)
		return ctl_err(-ENOSPC, "chain of tenant %s is full (%d NFs)", t->name,
			       SW_MAX_CHAIN);
	if (pos > t->n_chain)
		return ctl_err(-EINVAL, "position %d is past the end of tenant %s's chain (%u NFs)",
			       pos, t->name, t->n_chain);
	if (pos < 0)
		pos = t->n_chain; /* at the end */
	nf = calloc(1, sizeof(*nf));
	if (nf == NULL)
		return ctl_err(-ENOMEM, "out of memory");
	strcpy(nf->name, name);
	nf->tenant = t;
	nf->state = NF_DOWN;
	nf->kind = kind;
	nf->tr = tr;
	nf->slot = -1;
	if (tr->nf_init != NULL)
		tr->nf_init(nf);
	if (tr->has_process && (nf->proc = proc_create(nf, exec_argv)) == NULL) {
		free(nf);
		return ctl_err(-ENOMEM, "out of memory");
	}
	memmove(&t->chain[pos + 1], &t->chain[pos], sizeof(t->chain[0]) * (t->n_chain - pos));
	t->chain[pos] = nf;
	t->n_chain++;
	TAILQ_INSERT_TAIL(&nfs, nf, next);
	LOG(INFO, "NF %s added to tenant %s at position %d", name, t->name, pos);
	*out = nf;
	return 0;
}

/* On success the NF owns exec_argv; on failure the caller still does. */
int
nf_add(const char *name, struct tenant *t, int pos, enum myr_transport kind, char **exec_argv,
       struct nf **out)
{
	struct nf *nf = NULL;
	int ret = nf_insert(name, t, pos, kind, exec_argv, &nf);

	if (ret < 0)
		return ret;
	/* a DOWN NF in a chain makes its tenant's packets drop as nf_down: publish that */
	ret = fwd_publish();
	if (ret < 0) {
		chain_remove(t, nf);
		if (nf->proc != NULL)
			nf->proc->exec_argv = NULL; /* still the caller's */
		nf_free(nf);
		return ret;
	}
	if (out != NULL)
		*out = nf;
	return 0;
}

/*
 * A new NF of a kind without a process (in the switch), up at once: the snapshot that
 * adds it to the chain is the one that starts it, so its tenant's packets never see it
 * down. On success the NF owns conf (its kind's settings); on failure the caller does.
 */
int
nf_add_inswitch(const char *name, struct tenant *t, int pos, enum myr_transport kind,
		const union nf_tr_conf *conf)
{
	struct nf *nf = NULL;
	int s, ret = nf_insert(name, t, pos, kind, NULL, &nf);

	if (ret < 0)
		return ret;
	nf->tr_conf = *conf;
	if (nf->tr->has_process) {
		ret = ctl_err(-EINVAL, "NFs of kind %s have a process", myr_transport_name(kind));
		goto undo;
	}
	s = slot_alloc();
	if (s < 0) {
		ret = s;
		goto undo;
	}
	nf->slot = s;
	ret = nf->tr->attach(nf, NULL, NULL, NULL);
	if (ret < 0) {
		nf->slot = -1;
		slot_free(s);
		goto undo;
	}
	nf->gen = ++attach_gen;
	nf->state = NF_UP;
	nf->n_starts++;
	ret = fwd_publish();
	if (ret < 0) {
		/* the data path never saw the NF */
		nf->state = NF_DOWN;
		nf->slot = -1;
		nf->tr->reclaim(nf, s);
		slot_free(s);
		goto undo;
	}
	return 0;
undo:
	chain_remove(t, nf);
	memset(&nf->tr_conf, 0, sizeof(nf->tr_conf)); /* still the caller's */
	nf_free(nf);
	return ret;
}

uint64_t
nf_outstanding(const struct nf *nf)
{
	const struct dp_slot_stats *st = &sw.slot_stats[nf->slot];

	/* to_nf first: a packet returned between the two loads makes the difference
	 * larger, never negative, and only makes the caller wait a little longer */
	return sw_read(&st->to_nf) - sw_read(&st->from_nf);
}

/*
 * Wait until the given NFs hold no packet (1 s at most): used after they stopped
 * receiving new traffic, so that detaching loses nothing already in the chain.
 */
void
nf_drain_wait(struct nf *const *list, unsigned int n)
{
	uint64_t deadline = rte_get_timer_cycles() + rte_get_timer_hz();
	unsigned int i;

	for (;;) {
		uint64_t left = 0;

		for (i = 0; i < n; i++)
			if (list[i]->state == NF_UP)
				left += nf_outstanding(list[i]);
		if (left == 0 || rte_get_timer_cycles() > deadline)
			return;
		rte_delay_us_sleep(100);
	}
}

/* Take an NF out of its chain and free it once it is gone (nf_gone): a failed add. */
void
nf_forget(struct nf *nf)
{
	if (nf->removed)
		return;
	if (nf->tenant != NULL)
		chain_remove(nf->tenant, nf);
	nf->tenant = NULL;
	nf->removed = true;
	/* if this fails, the old snapshot drops the tenant's packets as nf_down: harmless */
	if (fwd_publish() < 0)
		LOG(WARNING, "NF %s: %s", nf->name, ctl_errmsg());
}

int
nf_del(struct nf *nf)
{
	struct tenant *t = nf->tenant;
	int ret;

	if (t != NULL)
		chain_remove(t, nf);
	/* predecessors now skip it; it keeps its own hop until it holds nothing */
	ret = fwd_publish();
	if (ret < 0) {
		if (t != NULL)
			/* back where it was: at the end is as good, the snapshot never changed */
			t->chain[t->n_chain++] = nf;
		return ret;
	}
	nf->tenant = NULL;
	nf->removed = true;
	if (nf->state == NF_UP)
		nf_drain_wait(&nf, 1);
	LOG(INFO, "NF %s deleted", nf->name);
	nf_stop(nf);
	return 0;
}

int
nf_set(struct nf *nf, const char *opt, const char *val)
{
	const struct ctl_nf_option *o;
	union nf_tr_conf old = nf->tr_conf;
	int ret;

	for (o = nf->tr->nf_options; o != NULL && o->name != NULL; o++)
		if (strcmp(o->name, opt) == 0)
			break;
	if (o == NULL || o->name == NULL)
		return ctl_err(-EINVAL, "NF %s (%s) has no setting --%s", nf->name,
			       myr_transport_name(nf->kind), opt);
	ret = o->set(nf, val);
	if (ret == 0)
		ret = fwd_publish();
	if (ret < 0)
		nf->tr_conf = old;
	return ret;
}

int
nf_start(struct nf *nf)
{
	if (nf->proc == NULL || nf->proc->exec_argv == NULL)
		return ctl_err(-EINVAL, "NF %s has no program to start (see nf add --exec)",
			       nf->name);
	if (nf->state != NF_DOWN)
		return ctl_err(-EBUSY, "NF %s is %s", nf->name, nf_state_names[nf->state]);
	return proc_spawn(nf->proc);
}

/* A process registered as this NF: give it a slot and what its kind hands it. */
int
nf_attach(struct nf *nf, struct conn *c, pid_t pid, enum myr_transport kind, struct myr_welcome *w,
	  int *fds, unsigned int *n_fds)
{
	int s, ret;

	if (nf->removed)
		return ctl_err(-ENOENT, "NF %s was deleted", nf->name);
	if (nf->state == NF_UP || nf->state == NF_DYING)
		return ctl_err(-EEXIST, "NF %s is already attached", nf->name);
	if (kind != nf->kind)
		return ctl_err(-EINVAL, "NF %s was declared with transport %s, not %s", nf->name,
			       myr_transport_name(nf->kind), myr_transport_name(kind));
	if (nf->proc == NULL)
		return ctl_err(-EINVAL, "NF %s runs in the switch: no process attaches", nf->name);
	s = slot_alloc();
	if (s < 0)
		return s;
	nf->slot = s;
	ret = nf->tr->attach(nf, w, fds, n_fds);
	if (ret == 0)
		ret = proc_attach(nf->proc, c, pid);
	if (ret < 0) {
		tp_put(nf->tpool); /* the attach's reference, if it took one */
		nf->tpool = NULL;
		nf->slot = -1;
		slot_free(s);
		return ret;
	}
	nf->gen = ++attach_gen;
	nf->state = NF_UP;
	nf->n_starts++;
	ret = fwd_publish();
	if (ret < 0) {
		/* the data path never saw the slot: nothing to wait for or reclaim */
		proc_detach(nf->proc);
		tp_put(nf->tpool);
		nf->tpool = NULL;
		nf->state = nf->proc->spawned ? NF_STARTING : NF_DOWN;
		nf->slot = -1;
		slot_free(s);
		return ret;
	}
	return 0;
}

/*
 * Ask an NF to leave. The slot is reclaimed, and a removed NF freed, once its process
 * has gone (nf_gone), which may be before this returns.
 */
void
nf_stop(struct nf *nf)
{
	if (nf->slot >= 0 && nf->tr->stop != NULL)
		nf->tr->stop(nf);
	if (nf->proc != NULL)
		proc_stop(nf->proc);
	else
		nf_gone(nf);
}

/* NFs left NF_DYING by nf_gone, for nf_retry_gone (which walks them only if some are) */
static unsigned int n_unreclaimed;

/*
 * The NF's process has exited (or can no longer touch its slot): take everything back.
 * The data path lets go of the slot first (a snapshot without it, and a grace period),
 * then the transport reclaims what the NF held. If no snapshot can be published, the
 * slot stays the NF's until one can (nf_retry_gone): reclaiming what the data path may
 * still use would hand its packets out twice.
 */
void
nf_gone(struct nf *nf)
{
	if (nf->proc != NULL)
		proc_gone(nf->proc);
	if (nf->slot >= 0) {
		uint32_t s = nf->slot;
		uint64_t n;

		nf->state = NF_DOWN;
		if (fwd_publish() < 0) {
			nf->state = NF_DYING;
			n_unreclaimed++;
			LOG(ERR, "NF %s: slot %u not reclaimed yet: %s", nf->name, s, ctl_errmsg());
			return;
		}
		nf->slot = -1;
		n = nf->tr->reclaim(nf, s);
		__atomic_fetch_add(&sw.ctl_drop[SW_DROP_NF_DEAD], n, __ATOMIC_RELAXED);
		slot_free(s);
	}
	nf->state = NF_DOWN;
	if (nf->removed)
		nf_free(nf);
}

/* The NF's DPDK must be the switch's: the mbufs are DPDK's struct. */
static int
dpdk_abi_check(const struct myr_hello *h)
{
	if (h->dpdk_version >> 16 == RTE_VERSION >> 16 && h->mbuf_size == sizeof(struct rte_mbuf))
		return 0;
	return ctl_err(-EPROTONOSUPPORT,
		       "NF built against DPDK %u.%02u (rte_mbuf %u B), the switch runs %u.%02u "
		       "(%zu B)",
		       h->dpdk_version >> 24, h->dpdk_version >> 16 & 0xff, h->mbuf_size,
		       RTE_VER_YEAR, RTE_VER_MONTH, sizeof(struct rte_mbuf));
}

/*
 * A registration (HELLO) on connection c. An NF the switch spawned registers on the
 * connection it was given (spawned_for), as that NF and no other; on the control
 * socket, only an admin registers, as an NF declared and not being started, or as a
 * new NF of a tenant (removed again if the attach fails).
 */
int
nf_register(const void *payload, size_t len, const struct ucred *cred, bool admin,
	    struct nf *spawned_for, struct conn *c, struct nf **out, struct myr_welcome *w,
	    int *fds, unsigned int *n_fds)
{
	struct myr_hello hello;
	struct nf *nf;
	bool added = false;
	pid_t pid = cred->pid;
	int ret;

	ret = myr_hello_check(payload, len);
	if (ret == -EPROTONOSUPPORT)
		return ctl_err(ret, "shared-memory layout version differs");
	if (ret < 0)
		return ctl_err(ret, "malformed registration");
	memcpy(&hello, payload, sizeof(hello));
	ret = dpdk_abi_check(&hello);
	if (ret < 0)
		return ret;
	if (spawned_for != NULL) {
		if (strcmp(hello.name, spawned_for->name) != 0)
			return ctl_err(-EPERM, "this connection is NF %s's, not %s's",
				       spawned_for->name, hello.name);
		nf = spawned_for;
		pid = nf->proc->pid;
	} else {
		if (!admin)
			return ctl_err(-EACCES,
				       "permission denied: uid %u registers no NF (see "
				       "--socket-group)",
				       (unsigned int)cred->uid);
		nf = nf_lookup(hello.name);
		if (nf != NULL && nf->state == NF_STARTING)
			return ctl_err(-EBUSY, "NF %s is being started by the switch", nf->name);
		if (nf == NULL) {
			struct tenant *t;

			if (hello.tenant[0] == '\0')
				return ctl_err(-ENOENT,
					       "unknown NF %s (declare it with 'myriadctl nf add', "
					       "or give a tenant)",
					       hello.name);
			t = tenant_lookup(hello.tenant);
			if (t == NULL)
				return ctl_err(-ENOENT, "no tenant %s", hello.tenant);
			if (ctl_transport(hello.transport) == NULL ||
			    !ctl_transport(hello.transport)->has_process)
				return ctl_err(-EINVAL,
					       "NFs of kind %s run in the switch: no process "
					       "registers as one",
					       myr_transport_name(hello.transport));
			ret = nf_add(hello.name, t, -1, hello.transport, NULL, &nf);
			if (ret < 0)
				return ret;
			added = true;
		}
	}
	ret = nf_attach(nf, c, pid, hello.transport, w, fds, n_fds);
	if (ret < 0 && added) {
		char msg[512];

		/* it joined for this attach only: nothing of it stays in the chain */
		snprintf(msg, sizeof(msg), "%s", ctl_errmsg());
		nf_del(nf);
		return ctl_err(ret, "%s", msg);
	}
	if (ret == 0)
		*out = nf;
	return ret;
}

/* Retry the reclaims that could not publish (nf_gone); the control loop calls it. */
void
nf_retry_gone(void)
{
	struct nf *nf, *tmp;

	if (n_unreclaimed == 0)
		return;
	n_unreclaimed = 0; /* counted again by each nf_gone that fails once more */
	RTE_TAILQ_FOREACH_SAFE (nf, &nfs, next, tmp)
		if (nf->state == NF_DYING && nf->slot >= 0 &&
		    (nf->proc == NULL || nf->proc->pid == 0))
			nf_gone(nf);
}

/*
 * An NF that made NF_BAD_BUFFERS violations (pointers that were no packet it held,
 * bufs.h; ring indexes no ring can have, datapath/tr_ring.c) is not mistaken: it is stopped, and
 * killed if it does not leave. What it held is taken back when it has gone, as for any NF. The
 * control loop calls this every tick; it walks the NFs only when the data path counted a violation
 * since the last walk.
 */
#define NF_BAD_BUFFERS 32

void
nf_police(void)
{
	static uint64_t seen;
	struct dp_stats sum;
	struct nf *nf, *tmp;

	dp_stats_sum(&sum);
	if (sum.nf_bad_buffer + sum.nf_bad_index == seen)
		return;
	seen = sum.nf_bad_buffer + sum.nf_bad_index;
	RTE_TAILQ_FOREACH_SAFE (nf, &nfs, next, tmp) {
		uint64_t bad;

		if (nf->state != NF_UP || nf->slot < 0)
			continue;
		bad = sw_read(&sw.slot_stats[nf->slot].bad_buffer) +
		      sw_read(&sw.slot_stats[nf->slot].bad_index);
		if (bad < NF_BAD_BUFFERS)
			continue;
		LOG(WARNING,
		    "NF %s returned pointers that were no packet it held or wrote impossible "
		    "ring indexes (%" PRIu64 " times): stopping it",
		    nf->name, bad);
		nf_stop(nf);
	}
}
