/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libmyriad_nf: registration with the switch, mapping of its packet memory, and the
 * NF side of the channel (include/myriad/nf.h). No EAL: see the header.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_ring.h>

#include <myriad/nf.h>
#include <myriad/proto.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

/* How often myr_nf_check() looks at the socket: a syscall per 4096 checks is noise */
#define CHECK_SOCKET_EVERY 4096

struct myr_nf {
	int fd;
	uint32_t slot;
	volatile int stop;
	int gone; /* the connection closed while we were asked to run: the switch died */
	uint32_t n_checks;
	struct myr_chan *ch;
	struct rte_ring *rx; /* to_nf */
	struct rte_ring *tx; /* from_nf */
	enum myr_transport transport;
	uint32_t sleep_seq; /* B: our copy of chan.nf.sleep_seq */
	unsigned int n_maps;
	struct {
		void *addr;
		size_t len;
	} maps[MYR_SEGS_MAX];
	char name[MYR_NAME_MAX];
};

static __thread char last_error[128];

static int death_signal(struct myr_nf *nf);
static volatile sig_atomic_t death_noticed;

const char *
myr_nf_last_error(void)
{
	return last_error;
}

static int
transport_parse(const char *s, enum myr_transport *tr)
{
	if (strcmp(s, "poll") == 0 || strcmp(s, "0") == 0)
		*tr = MYR_T_POLL;
	else if (strcmp(s, "block") == 0 || strcmp(s, "1") == 0)
		*tr = MYR_T_BLOCK;
	else
		return -EINVAL;
	return 0;
}

int
myr_nf_parse_args(struct myr_nf_conf *conf, int argc, char **argv)
{
	const char *tr = getenv("MYRIAD_TRANSPORT");
	int i, j = 1;

	if (conf->socket == NULL)
		conf->socket = getenv("MYRIAD_SOCKET");
	if (conf->name == NULL)
		conf->name = getenv("MYRIAD_NF");
	if (conf->tenant == NULL)
		conf->tenant = getenv("MYRIAD_TENANT");
	if (tr != NULL && transport_parse(tr, &conf->transport) < 0)
		return -EINVAL;
	for (i = 1; i < argc; i++) {
		const char *o = argv[i];

		if (strcmp(o, "--switch") && strcmp(o, "--name") && strcmp(o, "--tenant") &&
		    strcmp(o, "--transport")) {
			argv[j++] = argv[i];
			continue;
		}
		if (i + 1 >= argc)
			return -EINVAL;
		if (strcmp(o, "--switch") == 0)
			conf->socket = argv[i + 1];
		else if (strcmp(o, "--name") == 0)
			conf->name = argv[i + 1];
		else if (strcmp(o, "--tenant") == 0)
			conf->tenant = argv[i + 1];
		else if (transport_parse(argv[i + 1], &conf->transport) < 0)
			return -EINVAL;
		i++;
	}
	argv[j] = NULL;
	return j;
}

static void
unmap_all(struct myr_nf *nf)
{
	while (nf->n_maps > 0) {
		nf->n_maps--;
		munmap(nf->maps[nf->n_maps].addr, nf->maps[nf->n_maps].len);
	}
}

/* Map the switch's memory at the switch's addresses: mbuf pointers then just work. */
static int
map_segments(struct myr_nf *nf, const struct myr_welcome *w, const int *fds, unsigned int n_fds)
{
	unsigned int i;

	if (w->n_segs != n_fds || w->n_segs > MYR_SEGS_MAX) {
		snprintf(last_error, sizeof(last_error), "switch sent %u segments but %u fds",
			 w->n_segs, n_fds);
		return -EPROTO;
	}
	for (i = 0; i < w->n_segs; i++) {
		void *want = (void *)(uintptr_t)w->segs[i].addr;
		void *p = mmap(want, w->segs[i].len, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_FIXED_NOREPLACE, fds[i], w->segs[i].offset);

		if (p == MAP_FAILED || p != want) {
			int e = p == MAP_FAILED ? errno : EADDRINUSE;

			if (p != MAP_FAILED)
				munmap(p, w->segs[i].len);
			snprintf(last_error, sizeof(last_error),
				 "cannot map the switch's memory at %p: %s", want, strerror(e));
			return -e;
		}
		nf->maps[nf->n_maps].addr = p;
		nf->maps[nf->n_maps].len = w->segs[i].len;
		nf->n_maps++;
	}
	return 0;
}

/* Is [p, p+size) inside what we mapped? Guards against a confused switch. */
static int
mapped(const struct myr_nf *nf, const void *p, size_t size)
{
	unsigned int i;

	for (i = 0; i < nf->n_maps; i++) {
		uintptr_t a = (uintptr_t)nf->maps[i].addr;

		if ((uintptr_t)p >= a && (uintptr_t)p + size <= a + nf->maps[i].len)
			return 1;
	}
	return 0;
}

static int
welcome_use(struct myr_nf *nf, const struct myr_welcome *w)
{
	const struct myr_shm *shm = (const struct myr_shm *)(uintptr_t)w->shm_addr;

	if (!mapped(nf, shm, sizeof(*shm)) || shm->magic != MYR_SHM_MAGIC) {
		snprintf(last_error, sizeof(last_error), "no myriad channel area at %p", shm);
		return -EPROTO;
	}
	if (shm->version != MYR_SHM_VERSION) {
		snprintf(last_error, sizeof(last_error),
			 "switch uses shared-memory layout %u, this NF was built for %u",
			 shm->version, MYR_SHM_VERSION);
		return -EPROTONOSUPPORT;
	}
	if (w->slot >= shm->max_nfs) {
		snprintf(last_error, sizeof(last_error), "slot %u out of range", w->slot);
		return -EPROTO;
	}
	nf->slot = w->slot;
	nf->ch = myr_shm_chan(shm, w->slot);
	nf->rx = (struct rte_ring *)((char *)nf->ch + nf->ch->sw.to_nf_off);
	nf->tx = (struct rte_ring *)((char *)nf->ch + nf->ch->sw.from_nf_off);
	if (!mapped(nf, nf->ch, shm->chan_size)) {
		snprintf(last_error, sizeof(last_error), "channel %u not in shared memory",
			 w->slot);
		return -EPROTO;
	}
	return 0;
}

struct myr_nf *
myr_nf_attach(const struct myr_nf_conf *conf)
{
	const char *path = conf->socket ? conf->socket : MYR_DEFAULT_SOCKET;
	struct myr_hello hello = { .shm_version = MYR_SHM_VERSION };
	struct myr_msg_hdr h;
	struct myr_welcome w;
	int fds[MYR_FDS_MAX];
	unsigned int n_fds = MYR_FDS_MAX, i;
	struct myr_nf *nf;
	void *payload = NULL;
	int ret;

	last_error[0] = '\0';
	if (conf->name == NULL || !myr_name_valid(conf->name) ||
	    (conf->tenant != NULL && conf->tenant[0] != '\0' && !myr_name_valid(conf->tenant)) ||
	    conf->transport >= MYR_T_MAX) {
		snprintf(last_error, sizeof(last_error), "invalid NF name, tenant or transport");
		errno = EINVAL;
		return NULL;
	}
	nf = calloc(1, sizeof(*nf));
	if (nf == NULL)
		return NULL;
	strcpy(nf->name, conf->name);
	ret = myr_ctl_connect(path);
	if (ret < 0) {
		snprintf(last_error, sizeof(last_error), "cannot connect to %s: %s", path,
			 strerror(-ret));
		goto fail;
	}
	nf->fd = ret;
	hello.transport = conf->transport;
	hello.pid = getpid();
	strcpy(hello.name, conf->name);
	if (conf->tenant != NULL)
		strcpy(hello.tenant, conf->tenant);
	ret = myr_msg_send(nf->fd, MYR_MSG_HELLO, 1, &hello, sizeof(hello), NULL, 0);
	if (ret == 0)
		ret = myr_msg_recv(nf->fd, &h, &payload, fds, &n_fds);
	if (ret < 0) {
		snprintf(last_error, sizeof(last_error), "registration with %s failed: %s", path,
			 strerror(-ret));
		goto fail_fd;
	}
	if (h.type != MYR_MSG_WELCOME) {
		snprintf(last_error, sizeof(last_error), "unexpected reply type %u", h.type);
		ret = -EPROTO;
		goto fail_fds;
	}
	memcpy(&w, payload, sizeof(w));
	w.error[sizeof(w.error) - 1] = '\0';
	if (w.status < 0) {
		snprintf(last_error, sizeof(last_error), "%s", w.error);
		ret = w.status;
		goto fail_fds;
	}
	ret = map_segments(nf, &w, fds, n_fds);
	if (ret == 0)
		ret = welcome_use(nf, &w);
	if (ret == 0 && conf->transport == MYR_T_BLOCK)
		ret = death_signal(nf);
	if (ret < 0)
		goto fail_fds;
	for (i = 0; i < n_fds; i++)
		close(fds[i]);
	nf->transport = conf->transport;
	free(payload);
	return nf;

fail_fds:
	for (i = 0; i < n_fds; i++)
		close(fds[i]);
	unmap_all(nf);
fail_fd:
	free(payload);
	close(nf->fd);
fail:
	free(nf);
	errno = -ret;
	return NULL;
}

void
myr_nf_detach(struct myr_nf *nf)
{
	if (nf == NULL)
		return;
	close(nf->fd);
	unmap_all(nf);
	free(nf);
}

uint16_t
myr_nf_rx_burst(struct myr_nf *nf, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t got = rte_ring_sc_dequeue_burst(nf->rx, (void **)pkts, n, NULL);

	nf->ch->nf.n_rx += got;
	return got;
}

uint16_t
myr_nf_tx_burst(struct myr_nf *nf, struct rte_mbuf **pkts, const uint8_t *verdicts, uint16_t n)
{
	void *objs[n];
	uint16_t i, sent;

	if (verdicts == NULL) {
		sent = rte_ring_sp_enqueue_burst(nf->tx, (void **)pkts, n, NULL);
	} else {
		/* the verdict rides in the pointer's low bits (include/myriad/shm.h) */
		for (i = 0; i < n; i++)
			objs[i] = (void *)((uintptr_t)pkts[i] | (verdicts[i] & MYR_VERDICT_MASK));
		sent = rte_ring_sp_enqueue_burst(nf->tx, objs, n, NULL);
	}
	nf->ch->nf.n_tx += sent;
	return sent;
}

int
myr_nf_fd(const struct myr_nf *nf)
{
	return nf->fd;
}

void
myr_nf_stop(struct myr_nf *nf)
{
	nf->stop = 1;
}

int
myr_ether_aton(const char *s, struct rte_ether_addr *a)
{
	unsigned int b[RTE_ETHER_ADDR_LEN], i;
	int end = 0;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &end) != 6 ||
	    s[end] != '\0' || end != 17)
		return -EINVAL;
	for (i = 0; i < RTE_ETHER_ADDR_LEN; i++)
		a->addr_bytes[i] = b[i];
	return 0;
}

static struct myr_nf *signalled_nf;

static void
on_stop_signal(int sig)
{
	(void)sig;
	if (signalled_nf != NULL)
		myr_nf_stop(signalled_nf);
}

int
myr_nf_stop_on_signals(struct myr_nf *nf)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };

	sigemptyset(&sa.sa_mask);
	signalled_nf = nf;
	if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0)
		return -errno;
	return 0;
}

const char *
myr_nf_name(const struct myr_nf *nf)
{
	return nf->name;
}

uint32_t
myr_nf_slot(const struct myr_nf *nf)
{
	return nf->slot;
}

/*
 * A blocking NF sleeps on a futex, which the switch's death cannot wake. The control
 * socket is the lifeline: with O_ASYNC it raises SIGIO when it becomes readable,
 * which only happens when it closes (the switch stopped us or died; it sends nothing
 * after WELCOME). The signal interrupts the futex wait; the handler only records it.
 * An application that handles SIGIO itself keeps its handler and must call
 * myr_nf_check() when it fires.
 */
static void
on_sigio(int sig)
{
	(void)sig;
	death_noticed = 1;
}

static int
death_signal(struct myr_nf *nf)
{
	struct sigaction old, sa = { .sa_handler = on_sigio };
	int fl = fcntl(nf->fd, F_GETFL);

	if (sigaction(SIGIO, NULL, &old) == 0 && old.sa_handler == SIG_DFL) {
		sigemptyset(&sa.sa_mask);
		sigaction(SIGIO, &sa, NULL);
	}
	if (fl < 0 || fcntl(nf->fd, F_SETOWN, getpid()) < 0 ||
	    fcntl(nf->fd, F_SETFL, fl | O_ASYNC) < 0) {
		snprintf(last_error, sizeof(last_error), "cannot watch the control socket: %s",
			 strerror(errno));
		return -errno;
	}
	return 0;
}

int
myr_nf_check(struct myr_nf *nf)
{
	struct pollfd p = { .fd = nf->fd, .events = POLLIN };
	char c;

	if (nf->stop || __atomic_load_n(&nf->ch->sw.state, __ATOMIC_ACQUIRE) != MYR_CHAN_RUN)
		return -ESHUTDOWN;
	if (++nf->n_checks % CHECK_SOCKET_EVERY != 0)
		return 0;
	/* the switch sends nothing after WELCOME: readable means closed */
	if (poll(&p, 1, 0) == 1 && recv(nf->fd, &c, 1, MSG_DONTWAIT | MSG_PEEK) <= 0) {
		nf->gone = __atomic_load_n(&nf->ch->sw.state, __ATOMIC_ACQUIRE) == MYR_CHAN_RUN;
		nf->stop = 1;
		return -ESHUTDOWN;
	}
	return 0;
}

int
myr_nf_wait(struct myr_nf *nf)
{
	uint32_t w;
	int ret = 0;

	if (nf->transport != MYR_T_BLOCK) {
		/* a polling NF only lets the others run */
		sched_yield();
		return 0;
	}
	/*
	 * Read the futex word first: a wake-up after this read changes it, and the
	 * FUTEX_WAIT below then returns at once. Then odd sleep_seq: asleep. The fence
	 * orders that store before the ring check; the switch orders its enqueue before
	 * reading sleep_seq (include/myriad/shm.h).
	 */
	w = __atomic_load_n(&nf->ch->sw.wake_seq, __ATOMIC_ACQUIRE);
	nf->sleep_seq |= 1;
	__atomic_store_n(&nf->ch->nf.sleep_seq, nf->sleep_seq, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (rte_ring_empty(nf->rx) && myr_nf_check(nf) == 0 && !death_noticed) {
		nf->ch->nf.n_sleeps++;
		if (syscall(SYS_futex, &nf->ch->sw.wake_seq, FUTEX_WAIT, w, NULL, NULL, 0) < 0 &&
		    errno != EAGAIN && errno != EINTR)
			ret = -errno;
	}
	if (death_noticed)
		nf->n_checks = CHECK_SOCKET_EVERY - 1; /* look at the socket on the next check */
	nf->sleep_seq++;                               /* even: running */
	__atomic_store_n(&nf->ch->nf.sleep_seq, nf->sleep_seq, __ATOMIC_RELEASE);
	return ret;
}

int
myr_nf_run(struct myr_nf *nf, myr_nf_burst_fn *fn, void *arg)
{
	struct rte_mbuf *pkts[32];
	uint8_t verdicts[32];

	while (myr_nf_check(nf) == 0) {
		uint16_t n = myr_nf_rx_burst(nf, pkts, RTE_DIM(pkts)), sent = 0;

		nf->ch->nf.n_loops++;
		if (n == 0) {
			/*
			 * Polling NF: yield. With a core of its own this costs a fraction of
			 * a microsecond; sharing a core, it lets the other NFs and the control
			 * plane run instead of burning the rest of a time slice.
			 * Blocking NF: sleep until the switch wakes us.
			 */
			myr_nf_wait(nf);
			continue;
		}
		memset(verdicts, MYR_V_FORWARD, n);
		fn(pkts, verdicts, n, arg);
		while (sent < n) {
			sent += myr_nf_tx_burst(nf, pkts + sent, verdicts + sent, n - sent);
			if (sent < n && myr_nf_check(nf) != 0)
				return nf->gone ? -ESHUTDOWN
						: 0; /* the switch takes back the rest */
		}
	}
	return nf->gone ? -ESHUTDOWN : 0;
}
