/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The registry: tenants, their chains of NFs, the NF slots (channels), and the
 * forwarding snapshot built from them. Also the NF life cycle on the switch side:
 * spawn, attach, stop, and the reclaim of everything an NF held when it goes away.
 */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "control.h"

extern char **environ;

const char *const nf_state_names[] = {
	[NF_DOWN] = "down",
	[NF_STARTING] = "starting",
	[NF_UP] = "up",
	[NF_DYING] = "dying",
};

struct tenant_list tenants = TAILQ_HEAD_INITIALIZER(tenants);
struct nf_list nfs = TAILQ_HEAD_INITIALIZER(nfs);

static uint32_t *free_slots; /* stack of unused channel indexes */
static uint32_t attach_gen;  /* tells the data path that a slot changed hands */
static uint32_t n_lingering; /* NFs with a kill_at deadline */
static uint32_t n_free;

#define ERR(o, fmt, ...) out_printf(o, fmt, ##__VA_ARGS__)

int
mac_parse(const char *s, uint64_t *mac)
{
	unsigned int b[6];
	char tail;
	uint64_t v = 0;
	int i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &tail) != 6 ||
	    strlen(s) != 17)
		return -EINVAL;
	/* same byte order as the data path's memcpy of the header's 6 bytes */
	for (i = 5; i >= 0; i--)
		v = (v << 8) | b[i];
	*mac = v;
	return 0;
}

void
mac_format(uint64_t mac, char *buf, size_t size)
{
	snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", (unsigned int)(mac & 0xff),
		 (unsigned int)(mac >> 8 & 0xff), (unsigned int)(mac >> 16 & 0xff),
		 (unsigned int)(mac >> 24 & 0xff), (unsigned int)(mac >> 32 & 0xff),
		 (unsigned int)(mac >> 40 & 0xff));
}

struct tenant *
tenant_lookup(const char *name)
{
	struct tenant *t;

	TAILQ_FOREACH (t, &tenants, next)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

struct nf *
nf_lookup(const char *name)
{
	struct nf *nf;

	TAILQ_FOREACH (nf, &nfs, next)
		if (strcmp(nf->name, name) == 0 && !nf->removed)
			return nf;
	return NULL;
}

uint32_t
registry_slots_used(void)
{
	return sw.conf.max_nfs - n_free;
}

/* --- the forwarding snapshot --- */

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
	return (struct fwd_slot){
		.hop = hop,
		.gen = nf->gen,
		.transport = nf->transport,
		.wake_batch = nf->wake_batch,
		.wake_timeout = nf->wake_timeout_us * rte_get_tsc_hz() / 1000000,
	};
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
			uint32_t h = (uint32_t)((t->macs[i] * 0x9e3779b97f4a7c15ULL) >> 32) &
				     f->mac_mask;

			while (f->macs[h].key != FWD_MAC_EMPTY)
				h = (h + 1) & f->mac_mask;
			f->macs[h].key = t->macs[i];
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

/* Publish a snapshot of the registry and wait until the data path uses it. */
int
fwd_publish(void)
{
	struct fwd *old = sw.fwd, *f = fwd_build(old);

	if (f == NULL)
		return -ENOMEM;
	__atomic_store_n(&sw.fwd, f, __ATOMIC_RELEASE);
	sw_sync();
	fwd_free(old);
	return 0;
}

void
sw_sync(void)
{
	uint64_t t = __atomic_add_fetch(&sw.sync_token, 1, __ATOMIC_RELEASE);

	while (__atomic_load_n(&sw.dp_running, __ATOMIC_ACQUIRE) &&
	       __atomic_load_n(&sw.sync_seen, __ATOMIC_ACQUIRE) < t)
		rte_pause();
}

/* --- slots --- */

static int
slot_get(enum myr_transport tr)
{
	struct myr_chan *c;
	uint32_t s;
	char name[RTE_RING_NAMESIZE];

	if (n_free == 0)
		return -ENOSPC;
	s = free_slots[--n_free];
	c = myr_shm_chan(sw.shm, s);
	/* nobody uses the rings of a free slot: re-initialising them empties them */
	snprintf(name, sizeof(name), "nf%u_in", s);
	rte_ring_init((struct rte_ring *)((char *)c + c->sw.to_nf_off), name, sw.conf.ring_size,
		      RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "nf%u_out", s);
	rte_ring_init((struct rte_ring *)((char *)c + c->sw.from_nf_off), name, sw.conf.ring_size,
		      RING_F_SP_ENQ | RING_F_SC_DEQ);
	memset(&c->nf, 0, sizeof(c->nf));
	memset(&sw.slot_stats[s], 0, sizeof(sw.slot_stats[s]));
	c->sw.transport = tr;
	__atomic_store_n(&c->sw.state, MYR_CHAN_RUN, __ATOMIC_RELEASE);
	return s;
}

struct reclaim {
	uint32_t owner;
	uint64_t n;
};

static void
reclaim_one(struct rte_mempool *mp, void *arg, void *obj, unsigned int idx)
{
	struct reclaim *r = arg;
	struct rte_mbuf *m = obj;

	(void)mp;
	(void)idx;
	if (*sw_owner(m) != r->owner)
		return;
	/* whatever the NF did to it, make it a plain single mbuf again before freeing */
	*sw_owner(m) = 0;
	rte_pktmbuf_reset(m);
	rte_mbuf_refcnt_set(m, 1);
	rte_pktmbuf_free(m);
	r->n++;
}

static uint64_t
ring_drain(struct rte_ring *r)
{
	void *objs[SW_BURST];
	uint64_t total = 0;
	unsigned int n, i;

	while ((n = rte_ring_sc_dequeue_burst(r, objs, SW_BURST, NULL)) > 0) {
		for (i = 0; i < n; i++) {
			struct rte_mbuf *m =
				(struct rte_mbuf *)((uintptr_t)objs[i] & ~MYR_VERDICT_MASK);

			*sw_owner(m) = 0;
			rte_pktmbuf_free(m);
		}
		total += n;
	}
	return total;
}

/*
 * Take back a slot whose NF process is gone (or never touches it again): the data
 * path has stopped using it (the caller published a snapshot without it), so this
 * thread may consume both rings. What the NF had dequeued but not returned is found
 * by the owner tag the data path wrote before handing each packet over.
 */
static void
slot_put(uint32_t s)
{
	struct myr_chan *c = myr_shm_chan(sw.shm, s);
	struct reclaim r = { .owner = s + 1 };
	uint64_t n;

	__atomic_store_n(&c->sw.state, MYR_CHAN_FREE, __ATOMIC_RELEASE);
	n = ring_drain((struct rte_ring *)((char *)c + c->sw.from_nf_off));
	n += ring_drain((struct rte_ring *)((char *)c + c->sw.to_nf_off));
	rte_mempool_obj_iter(sw.pool, reclaim_one, &r);
	n += r.n;
	__atomic_fetch_add(&sw.ctl_drop[SW_DROP_NF_DEAD], n, __ATOMIC_RELAXED);
	if (n > 0)
		LOG(INFO, "slot %u: reclaimed %" PRIu64 " packets (%" PRIu64 " held)", s, n, r.n);
	free_slots[n_free++] = s;
}

int
registry_init(void)
{
	uint32_t i;

	free_slots = malloc(sizeof(*free_slots) * sw.conf.max_nfs);
	if (free_slots == NULL)
		return -ENOMEM;
	/* hand out low slots first: their channels are contiguous and warm */
	for (i = 0; i < sw.conf.max_nfs; i++)
		free_slots[i] = sw.conf.max_nfs - 1 - i;
	n_free = sw.conf.max_nfs;
	sw.fwd = fwd_build(NULL);
	return sw.fwd != NULL ? 0 : -ENOMEM;
}

static void
nf_free(struct nf *nf)
{
	char **a;

	TAILQ_REMOVE(&nfs, nf, next);
	if (nf->exec_argv != NULL) {
		for (a = nf->exec_argv; *a != NULL; a++)
			free(*a);
		free(nf->exec_argv);
	}
	free(nf);
}

void
registry_fini(void)
{
	struct tenant *t;

	while (!TAILQ_EMPTY(&nfs))
		nf_free(TAILQ_FIRST(&nfs));
	while ((t = TAILQ_FIRST(&tenants)) != NULL) {
		TAILQ_REMOVE(&tenants, t, next);
		free(t);
	}
	fwd_free(sw.fwd);
	sw.fwd = NULL;
	free(free_slots);
}

/* --- tenants --- */

static struct tenant *
mac_owner(uint64_t mac)
{
	struct tenant *t;
	unsigned int i;

	TAILQ_FOREACH (t, &tenants, next)
		for (i = 0; i < t->n_macs; i++)
			if (t->macs[i] == mac)
				return t;
	return NULL;
}

int
tenant_add(const char *name, const uint64_t *macs, unsigned int n_macs, uint16_t port,
	   struct out *err)
{
	struct tenant *t;
	unsigned int i, j;
	int ret;

	if (!myr_name_valid(name))
		return ERR(err, "invalid tenant name '%s'", name), -EINVAL;
	if (tenant_lookup(name) != NULL)
		return ERR(err, "tenant %s exists", name), -EEXIST;
	if (port >= sw.n_ports)
		return ERR(err, "no port %u (the switch has %u)", port, sw.n_ports), -ENODEV;
	if (n_macs == 0 || n_macs > SW_MAX_MACS)
		return ERR(err, "a tenant needs 1 to %d MAC addresses", SW_MAX_MACS), -EINVAL;
	for (i = 0; i < n_macs; i++) {
		char buf[24];

		mac_format(macs[i], buf, sizeof(buf));
		if (macs[i] & 1)
			return ERR(err, "%s is a multicast address", buf), -EINVAL;
		t = mac_owner(macs[i]);
		if (t != NULL)
			return ERR(err, "%s belongs to tenant %s", buf, t->name), -EEXIST;
		for (j = 0; j < i; j++)
			if (macs[j] == macs[i])
				return ERR(err, "%s given twice", buf), -EINVAL;
	}
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	strcpy(t->name, name);
	t->port = port;
	t->n_macs = n_macs;
	memcpy(t->macs, macs, sizeof(*macs) * n_macs);
	TAILQ_INSERT_TAIL(&tenants, t, next);
	ret = fwd_publish();
	if (ret < 0) {
		TAILQ_REMOVE(&tenants, t, next);
		free(t);
		return ERR(err, "out of memory"), ret;
	}
	LOG(INFO, "tenant %s added: %u MACs, port %u", name, n_macs, port);
	return 0;
}

static uint64_t
slot_outstanding(uint32_t s)
{
	const struct dp_slot_stats *st = &sw.slot_stats[s];

	return __atomic_load_n(&st->to_nf, __ATOMIC_RELAXED) -
	       __atomic_load_n(&st->from_nf, __ATOMIC_RELAXED);
}

/*
 * Wait until the given NFs hold no packet (or a timeout): used after they stopped
 * receiving new traffic, so that detaching loses nothing that was already in the
 * chain.
 */
static void
drain_wait(struct nf *const *list, unsigned int n)
{
	uint64_t deadline = rte_get_timer_cycles() + rte_get_timer_hz(); /* 1 s */
	unsigned int i;

	for (;;) {
		uint64_t left = 0;

		for (i = 0; i < n; i++)
			if (list[i]->state == NF_UP)
				left += slot_outstanding(list[i]->slot);
		if (left == 0 || rte_get_timer_cycles() > deadline)
			return;
		rte_delay_us_sleep(100);
	}
}

/*
 * Ask an NF's process to leave. The slot is reclaimed, and a removed NF freed, once
 * the process has gone (nf_gone), which may be before this returns.
 */
static void
nf_stop(struct nf *nf)
{
	if (nf->slot >= 0) {
		struct myr_chan *c = myr_shm_chan(sw.shm, nf->slot);

		__atomic_store_n(&c->sw.state, MYR_CHAN_STOP, __ATOMIC_RELEASE);
		myr_chan_wake(c); /* a sleeping blocking NF must see it */
	}
	/* closing the connection is the stop signal the NF cannot
	 * miss */
	if (nf->conn != NULL)
		conn_close(nf->conn);
	if (nf->pid > 0 && nf->pidfd >= 0) {
		if (nf->state == NF_STARTING)
			kill(nf->pid, SIGKILL);
		nf->state = NF_DYING;
		return;
	}
	/* no way to wait for the process: make sure it is gone, reclaim now */
	if (nf->pid > 0)
		kill(nf->pid, SIGKILL);
	nf_gone(nf);
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

int
tenant_del(struct tenant *t, struct out *err)
{
	struct nf *list[SW_MAX_CHAIN];
	unsigned int i, n = t->n_chain;
	int ret;

	/* stop classification to the tenant first, then let its chain empty */
	memcpy(list, t->chain, sizeof(list[0]) * n);
	t->n_macs = 0;
	ret = fwd_publish();
	if (ret < 0)
		return ERR(err, "out of memory"), ret;
	drain_wait(list, n);
	TAILQ_REMOVE(&tenants, t, next);
	for (i = 0; i < n; i++) {
		list[i]->tenant = NULL;
		list[i]->removed = true;
	}
	fwd_publish();
	LOG(INFO, "tenant %s deleted", t->name);
	for (i = 0; i < n; i++)
		nf_stop(list[i]);
	free(t);
	return 0;
}

/* --- NFs --- */

int
nf_add(const char *name, struct tenant *t, int pos, char **exec_argv, enum myr_transport tr,
       struct out *err)
{
	struct nf *nf;

	if (!myr_name_valid(name))
		return ERR(err, "invalid NF name '%s'", name), -EINVAL;
	if (nf_lookup(name) != NULL)
		return ERR(err, "NF %s exists", name), -EEXIST;
	if (t->n_chain >= SW_MAX_CHAIN)
		return ERR(err, "chain of tenant %s is full (%d NFs)", t->name, SW_MAX_CHAIN),
		       -ENOSPC;
	if (pos < 0 || pos > t->n_chain)
		pos = t->n_chain;
	nf = calloc(1, sizeof(*nf));
	if (nf == NULL)
		return ERR(err, "out of memory"), -ENOMEM;
	strcpy(nf->name, name);
	nf->tenant = t;
	nf->state = NF_DOWN;
	nf->transport = tr;
	nf->slot = -1;
	nf->pidfd = -1;
	nf->exec_argv = exec_argv;
	nf->wake_batch = sw.conf.wake_batch;
	nf->wake_timeout_us = sw.conf.wake_timeout_us;
	memmove(&t->chain[pos + 1], &t->chain[pos], sizeof(t->chain[0]) * (t->n_chain - pos));
	t->chain[pos] = nf;
	t->n_chain++;
	TAILQ_INSERT_TAIL(&nfs, nf, next);
	/* a DOWN NF in a chain makes its tenant's packets drop as nf_down: publish that */
	fwd_publish();
	LOG(INFO, "NF %s added to tenant %s at position %d", name, t->name, pos);
	return 0;
}

int
nf_del(struct nf *nf, struct out *err)
{
	struct tenant *t = nf->tenant;

	(void)err;
	if (t != NULL) {
		chain_remove(t, nf);
		nf->tenant = NULL;
	}
	nf->removed = true;
	/* predecessors now skip it; it keeps its own hop until it holds nothing */
	fwd_publish();
	if (nf->state == NF_UP)
		drain_wait(&nf, 1);
	LOG(INFO, "NF %s deleted", nf->name);
	nf_stop(nf);
	return 0;
}

static void
pid_event(struct ev *ev, uint32_t events)
{
	struct nf *nf = container_of(ev, struct nf, pid_ev);

	(void)events;
	nf_gone(nf);
}

static int
watch_pid(struct nf *nf, pid_t pid)
{
	int fd = syscall(SYS_pidfd_open, pid, 0);

	nf->pid = pid;
	nf->pidfd = -1;
	if (fd < 0)
		return -errno; /* already gone, or a kernel without pidfd */
	nf->pid_ev.fn = pid_event;
	if (ev_add(fd, &nf->pid_ev, EPOLLIN) < 0) {
		close(fd);
		return -errno;
	}
	nf->pidfd = fd;
	return 0;
}

/*
 * Start a program without the control thread's blocked SIGINT/SIGTERM. It keeps the
 * control thread's real-time priority until it registers (nf_attach lowers it):
 * with thousands of NFs sharing the core, a normal-priority child would wait its
 * turn behind all of them to exec, load and register, and posix_spawn would block
 * the control thread meanwhile.
 */
static int
spawn(pid_t *pid, char **argv, char **envp)
{
	posix_spawnattr_t attr;
	sigset_t none, def;
	int ret;

	sigemptyset(&none);
	sigemptyset(&def);
	sigaddset(&def, SIGINT);
	sigaddset(&def, SIGTERM);
	sigaddset(&def, SIGPIPE);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &def);
	ret = posix_spawnp(pid, argv[0], NULL, &attr, argv, envp);
	posix_spawnattr_destroy(&attr);
	return ret;
}

int
nf_spawn(struct nf *nf, struct out *err)
{
	char env_sock[512], env_nf[64], env_tenant[64], env_tr[32];
	char **envp;
	size_t n_env = 0, i;
	pid_t pid;
	int ret;

	if (nf->exec_argv == NULL)
		return ERR(err, "NF %s has no program to start (see nf add --exec)", nf->name),
		       -EINVAL;
	if (nf->state != NF_DOWN)
		return ERR(err, "NF %s is %s", nf->name, nf_state_names[nf->state]), -EBUSY;
	while (environ[n_env] != NULL)
		n_env++;
	envp = calloc(n_env + 5, sizeof(*envp));
	if (envp == NULL)
		return ERR(err, "out of memory"), -ENOMEM;
	snprintf(env_sock, sizeof(env_sock), "MYRIAD_SOCKET=%s", sw.conf.socket);
	snprintf(env_nf, sizeof(env_nf), "MYRIAD_NF=%s", nf->name);
	snprintf(env_tenant, sizeof(env_tenant), "MYRIAD_TENANT=%s",
		 nf->tenant ? nf->tenant->name : "");
	snprintf(env_tr, sizeof(env_tr), "MYRIAD_TRANSPORT=%u", nf->transport);
	n_env = 0;
	envp[n_env++] = env_sock;
	envp[n_env++] = env_nf;
	envp[n_env++] = env_tenant;
	envp[n_env++] = env_tr;
	for (i = 0; environ[i] != NULL; i++)
		if (strncmp(environ[i], "MYRIAD_", 7) != 0)
			envp[n_env++] = environ[i];
	envp[n_env] = NULL;
	ret = spawn(&pid, nf->exec_argv, envp);
	free(envp);
	if (ret != 0)
		return ERR(err, "cannot start %s: %s", nf->exec_argv[0], strerror(ret)), -ret;
	nf->spawned = true;
	nf->state = NF_STARTING;
	if (watch_pid(nf, pid) < 0)
		LOG(WARNING, "NF %s: pidfd_open(%d) failed; relying on the connection", nf->name,
		    pid);
	LOG(INFO, "NF %s: started %s, pid %d", nf->name, nf->exec_argv[0], pid);
	return 0;
}

int
nf_attach(struct nf *nf, struct conn *c, pid_t pid, enum myr_transport tr)
{
	int s;

	if (nf->state == NF_UP || nf->state == NF_DYING)
		return -EEXIST;
	if (nf->state == NF_STARTING && nf->pid != pid) {
		/* someone else registered under the name of the process we spawned */
		return -EEXIST;
	}
	s = slot_get(tr);
	if (s < 0)
		return s;
	if (nf->state != NF_STARTING) {
		if (nf->pidfd >= 0) {
			ev_del(nf->pidfd);
			close(nf->pidfd);
		}
		nf->spawned = false;
		watch_pid(nf, pid);
	}
	/* an NF runs at normal priority, whatever it inherited (see spawn()) */
	{
		struct sched_param sp = { .sched_priority = 0 };

		sched_setscheduler(pid, SCHED_OTHER, &sp);
	}
	nf->slot = s;
	nf->conn = c;
	nf->transport = tr;
	nf->gen = ++attach_gen;
	nf->state = NF_UP;
	nf->n_starts++;
	fwd_publish();
	return 0;
}

int
nf_set_wake(struct nf *nf, long batch, long timeout_us, struct out *err)
{
	if (batch >= 0 && (batch < 1 || batch > (long)sw.conf.ring_size))
		return ERR(err, "wake batch must be 1..%u (the ring size)", sw.conf.ring_size),
		       -EINVAL;
	if (timeout_us >= 0 && (timeout_us < 1 || timeout_us > 10000000))
		return ERR(err, "wake timeout must be 1..10000000 us"), -EINVAL;
	if (batch >= 0)
		nf->wake_batch = batch;
	if (timeout_us >= 0)
		nf->wake_timeout_us = timeout_us;
	return fwd_publish();
}

/* The NF's connection closed: make sure its process is gone, then reclaim. */
void
nf_conn_closed(struct nf *nf)
{
	nf->conn = NULL;
	if (nf->state != NF_UP && nf->state != NF_DYING)
		return;
	nf->state = NF_DYING;
	if (nf->pidfd < 0) {
		nf_gone(nf);
		return;
	}
	/*
	 * Nothing is reclaimed before the pidfd says the process is gone. A process that
	 * closed its connection and then exits normally (myr_nf_detach, then exit) gets
	 * a moment to do so; one that lets go of the switch and runs on, and so may still
	 * touch its rings, is killed (registry_kill_lingering).
	 */
	nf->kill_at = rte_get_timer_cycles() + rte_get_timer_hz() / 5; /* 200 ms */
	n_lingering++;
}

/* Kill the NFs that closed their connection a while ago but still run. */
void
registry_kill_lingering(void)
{
	uint64_t now = rte_get_timer_cycles();
	struct nf *nf;

	if (n_lingering == 0)
		return;
	TAILQ_FOREACH (nf, &nfs, next) {
		if (nf->kill_at == 0 || now < nf->kill_at)
			continue;
		LOG(NOTICE, "NF %s (pid %d) closed its connection but did not exit: killing it",
		    nf->name, nf->pid);
		kill(nf->pid, SIGKILL);
		nf->kill_at = 0;
		n_lingering--;
	}
}

/* The NF's process has exited (or never had a pidfd): reclaim its slot. */
void
nf_gone(struct nf *nf)
{
	int status;

	if (nf->pidfd >= 0) {
		ev_del(nf->pidfd);
		close(nf->pidfd);
		nf->pidfd = -1;
	}
	if (nf->kill_at != 0) {
		nf->kill_at = 0;
		n_lingering--;
	}
	if (nf->spawned && nf->pid > 0 && waitpid(nf->pid, &status, 0) == nf->pid) {
		if (WIFSIGNALED(status))
			LOG(NOTICE, "NF %s (pid %d) killed by signal %d", nf->name, nf->pid,
			    WTERMSIG(status));
		else if (nf->state != NF_DYING || WEXITSTATUS(status) != 0)
			LOG(NOTICE, "NF %s (pid %d) exited with status %d", nf->name, nf->pid,
			    WEXITSTATUS(status));
	}
	if (nf->conn != NULL)
		conn_close(nf->conn);
	nf->pid = 0;
	nf->spawned = false;
	if (nf->slot >= 0) {
		uint32_t s = nf->slot;

		nf->state = NF_DOWN;
		fwd_publish(); /* the data path lets go of the slot ... */
		nf->slot = -1;
		slot_put(s); /* ... before this thread takes its packets back */
	}
	nf->state = NF_DOWN;
	if (nf->removed)
		nf_free(nf);
}

/* Shutdown: stop every NF, wait for them a little, then reclaim by force. */
void
registry_stop_all(void)
{
	uint64_t deadline = rte_get_timer_cycles() + 2 * rte_get_timer_hz();
	struct nf *nf, *tmp;
	bool waiting;

	TAILQ_FOREACH (nf, &nfs, next)
		if (nf->state == NF_UP || nf->state == NF_STARTING)
			nf_stop(nf);
	do {
		waiting = false;
		RTE_TAILQ_FOREACH_SAFE (nf, &nfs, next, tmp) {
			struct pollfd p = { .fd = nf->pidfd, .events = POLLIN };

			if (nf->pid <= 0 || nf->pidfd < 0)
				continue;
			if (poll(&p, 1, 0) == 1)
				nf_gone(nf);
			else
				waiting = true;
		}
		if (waiting)
			rte_delay_us_sleep(1000);
	} while (waiting && rte_get_timer_cycles() < deadline);
	RTE_TAILQ_FOREACH_SAFE (nf, &nfs, next, tmp) {
		if (nf->pid > 0) {
			LOG(WARNING, "NF %s (pid %d) did not exit: killing it", nf->name, nf->pid);
			kill(nf->pid, SIGKILL);
			if (nf->pidfd >= 0) {
				struct pollfd p = { .fd = nf->pidfd, .events = POLLIN };

				poll(&p, 1, 1000);
			}
		}
		nf_gone(nf);
	}
}
