/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libmyriad_nf: registration with the switch, mapping of its packet memory, and the
 * NF API's calls, each handed to the NF's transport (tr_<kind>.c). No EAL: see
 * include/myriad/nf.h.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_version.h>

#include <myriad/names.h>

#include "nf_private.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

/* Adding a transport: its NF-side table here. */
static const struct nf_transport *const transports[] = { &nf_tr_poll, &nf_tr_block };

static const struct nf_transport *
transport_of(enum myr_transport kind)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(transports); i++)
		if (transports[i]->kind == kind)
			return transports[i];
	return NULL;
}

static __thread char last_error[128];

const char *
myr_nf_last_error(void)
{
	return last_error;
}

int
nf_error(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	return err;
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
	if (tr != NULL && myr_transport_parse(tr, &conf->transport) < 0)
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
		else if (myr_transport_parse(argv[i + 1], &conf->transport) < 0)
			return -EINVAL;
		i++;
	}
	argv[j] = NULL;
	return j;
}

static void
unmap_all(struct myr_nf *nf)
{
	free(nf->bufs);
	nf->bufs = NULL;
	while (nf->n_maps > 0) {
		nf->n_maps--;
		munmap(nf->maps[nf->n_maps].addr, nf->maps[nf->n_maps].len);
	}
}

/* Map what the switch hands us: our channel anywhere, the packet memory at the
 * switch's addresses (mbuf pointers then just work). */
static int
map_segments(struct myr_nf *nf, const struct myr_welcome *w, const int *fds, unsigned int n_fds)
{
	unsigned int i;

	if (w->n_segs != n_fds || w->n_segs == 0 || w->n_segs > MYR_SEGS_MAX)
		return nf_error(-EPROTO, "switch sent %u segments but %u fds", w->n_segs, n_fds);
	for (i = 0; i < w->n_segs; i++) {
		void *want = (void *)(uintptr_t)w->segs[i].addr;
		void *p = mmap(want, w->segs[i].len, PROT_READ | PROT_WRITE,
			       MAP_SHARED | (want != NULL ? MAP_FIXED_NOREPLACE : 0), fds[i],
			       w->segs[i].offset);

		if (p == MAP_FAILED || (want != NULL && p != want)) {
			int e = p == MAP_FAILED ? errno : EADDRINUSE;

			if (p != MAP_FAILED)
				munmap(p, w->segs[i].len);
			return nf_error(-e, "cannot map the switch's memory at %p: %s", want,
					strerror(e));
		}
		nf->maps[nf->n_maps].addr = p;
		nf->maps[nf->n_maps].len = w->segs[i].len;
		nf->n_maps++;
		/*
		 * A child this process forks must not inherit the switch's memory: once we
		 * exit, the switch takes our buffers back, and a child could still write
		 * them. Without the mapping it cannot.
		 */
		if (madvise(p, w->segs[i].len, MADV_DONTFORK) < 0)
			return nf_error(-errno, "madvise(MADV_DONTFORK): %s", strerror(errno));
	}
	return 0;
}

/*
 * The tenant's packet memory (the second segment) seen through mbuf headers of our
 * own: the switch's headers are not ours to see, and the NF API passes mbufs.
 */
static int
own_headers(struct myr_nf *nf, const struct myr_chan_hdr *h)
{
	uint8_t *data = nf->n_maps > 1 ? nf->maps[1].addr : NULL;
	uint32_t i;

	if (data == NULL || h->buf_size == 0 || h->buf_size > UINT16_MAX ||
	    (uint64_t)h->n_bufs * h->buf_size > nf->maps[1].len)
		return nf_error(-EPROTO, "malformed packet memory (%u buffers of %u B)", h->n_bufs,
				h->buf_size);
	nf->bufs = aligned_alloc(64, (size_t)h->n_bufs * sizeof(*nf->bufs));
	if (nf->bufs == NULL)
		return nf_error(-ENOMEM, "no memory for %u packet headers", h->n_bufs);
	memset(nf->bufs, 0, (size_t)h->n_bufs * sizeof(*nf->bufs));
	for (i = 0; i < h->n_bufs; i++) {
		struct rte_mbuf *m = &nf->bufs[i];

		m->buf_addr = data + (size_t)i * h->buf_size;
		m->buf_len = (uint16_t)h->buf_size;
		m->nb_segs = 1;
		rte_mbuf_refcnt_set(m, 1);
	}
	nf->n_bufs = h->n_bufs;
	return 0;
}

/* The first segment is our channel; its header says how to use it. */
static int
welcome_use(struct myr_nf *nf, const struct myr_welcome *w)
{
	const struct myr_chan *c = nf->maps[0].addr;
	const struct myr_chan_hdr *h = &c->hdr;
	size_t len = nf->maps[0].len;

	if (len < sizeof(*c) || h->magic != MYR_SHM_MAGIC)
		return nf_error(-EPROTO, "no myriad channel in the switch's first segment");
	if (h->version != MYR_SHM_VERSION)
		return nf_error(-EPROTONOSUPPORT,
				"switch uses shared-memory layout %u, this NF was built for %u",
				h->version, MYR_SHM_VERSION);
	/* the mbufs are DPDK's struct: both sides must agree on it */
	if (h->dpdk_version >> 16 != RTE_VERSION >> 16 || h->mbuf_size != sizeof(struct rte_mbuf))
		return nf_error(-EPROTONOSUPPORT,
				"switch runs DPDK %u.%02u (rte_mbuf %u B), this NF was built "
				"against %u.%02u (%zu B)",
				h->dpdk_version >> 24, h->dpdk_version >> 16 & 0xff, h->mbuf_size,
				RTE_VER_YEAR, RTE_VER_MONTH, sizeof(struct rte_mbuf));
	if (h->ring_size == 0 || (h->ring_size & (h->ring_size - 1)) != 0 || h->chan_size > len ||
	    h->to_nf_off < sizeof(*c) || h->from_nf_off < sizeof(*c) ||
	    h->to_nf_off + myr_ring_bytes(h->ring_size) > len ||
	    h->from_nf_off + myr_ring_bytes(h->ring_size) > len)
		return nf_error(-EPROTO, "malformed channel (ring size %u)", h->ring_size);
	nf->slot = w->slot;
	nf->ch = nf->maps[0].addr;
	nf->ring_size = h->ring_size;
	nf->to_nf = myr_chan_to_nf(nf->ch);
	nf->from_nf = myr_chan_from_nf(nf->ch);
	nf->to_cons = __atomic_load_n(&nf->to_nf->cons, __ATOMIC_RELAXED);
	nf->from_prod = __atomic_load_n(&nf->from_nf->prod, __ATOMIC_RELAXED);
	return h->flags & MYR_CHAN_F_DESC ? own_headers(nf, h) : 0;
}

/*
 * The connection to register on: the one the switch gave a process it spawned (fd
 * $MYRIAD_FD, used once), or a new one to the control socket.
 */
static int
switch_connection(const char *path)
{
	const char *env = getenv("MYRIAD_FD");
	struct stat st;
	char *end;
	long fd;
	int ret;

	if (env != NULL) {
		fd = strtol(env, &end, 10);
		unsetenv("MYRIAD_FD");
		if (*env == '\0' || *end != '\0' || fd < 0 || fd > INT32_MAX ||
		    fstat((int)fd, &st) < 0 || !S_ISSOCK(st.st_mode))
			return nf_error(-EBADF, "MYRIAD_FD=%s is not the switch's socket", env);
		fcntl((int)fd, F_SETFD, FD_CLOEXEC); /* the NF's children get none of it */
		return (int)fd;
	}
	ret = myr_ctl_connect(path);
	if (ret < 0)
		return nf_error(ret, "cannot connect to %s: %s", path, strerror(-ret));
	return ret;
}

struct myr_nf *
myr_nf_attach(const struct myr_nf_conf *conf)
{
	const char *path = conf->socket ? conf->socket : MYR_DEFAULT_SOCKET;
	struct myr_hello hello = {
		.shm_version = MYR_SHM_VERSION,
		.dpdk_version = RTE_VERSION,
		.mbuf_size = sizeof(struct rte_mbuf),
	};
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
	    transport_of(conf->transport) == NULL) {
		errno = -nf_error(-EINVAL, "invalid NF name, tenant or transport");
		return NULL;
	}
	nf = calloc(1, sizeof(*nf));
	if (nf == NULL)
		return NULL;
	strcpy(nf->name, conf->name);
	nf->kind = conf->transport;
	nf->tr = transport_of(conf->transport);
	ret = switch_connection(path);
	if (ret < 0)
		goto fail;
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
		nf_error(ret, "registration with %s failed: %s", path, strerror(-ret));
		goto fail_fd;
	}
	if (h.type != MYR_MSG_WELCOME) {
		ret = nf_error(-EPROTO, "unexpected reply type %u", h.type);
		goto fail_fds;
	}
	memcpy(&w, payload, sizeof(w));
	w.error[sizeof(w.error) - 1] = '\0';
	if (w.status < 0) {
		ret = nf_error(w.status, "%s", w.error);
		goto fail_fds;
	}
	ret = map_segments(nf, &w, fds, n_fds);
	if (ret == 0)
		ret = welcome_use(nf, &w);
	if (ret == 0 && nf->tr->attach != NULL)
		ret = nf->tr->attach(nf);
	if (ret < 0)
		goto fail_fds;
	for (i = 0; i < n_fds; i++)
		close(fds[i]);
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
	return nf->tr->rx_burst(nf, pkts, n);
}

uint16_t
myr_nf_tx_burst(struct myr_nf *nf, struct rte_mbuf **pkts, const uint8_t *verdicts, uint16_t n)
{
	return nf->tr->tx_burst(nf, pkts, verdicts, n);
}

int
myr_nf_wait(struct myr_nf *nf)
{
	return nf->tr->wait(nf);
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
	if (nf->tr->interrupt != NULL)
		nf->tr->interrupt(nf);
}

int
myr_ether_aton(const char *s, struct rte_ether_addr *a)
{
	return myr_mac_parse(s, a->addr_bytes);
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

int
myr_nf_check(struct myr_nf *nf)
{
	struct pollfd p = { .fd = nf->fd, .events = POLLIN };
	char c;

	if (nf->stop || __atomic_load_n(&nf->ch->sw.state, __ATOMIC_ACQUIRE) != MYR_CHAN_RUN)
		return -ESHUTDOWN;
	if (++nf->n_checks % NF_CHECK_SOCKET_EVERY != 0)
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
myr_nf_run(struct myr_nf *nf, myr_nf_burst_fn *fn, void *arg)
{
	struct rte_mbuf *pkts[32];
	uint8_t verdicts[32];

	while (myr_nf_check(nf) == 0) {
		uint16_t n = myr_nf_rx_burst(nf, pkts, RTE_DIM(pkts)), sent = 0;

		if (n == 0) {
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
