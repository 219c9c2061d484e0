/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control thread: one epoll loop over the control socket, its connections
 * (myriadctl commands and NF registrations), NF process exits (pidfds) and the
 * shutdown signals. Single-threaded by design: the registry needs no locking
 * except against telemetry readers (ctl_lock).
 */
#include <errno.h>
#include <stdarg.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_ring.h>
#include <rte_version.h>

#include <myriad/proto.h>

#include "control.h"

pthread_mutex_t ctl_lock = PTHREAD_MUTEX_INITIALIZER;

struct conn {
	struct ev ev;
	int fd;
	struct nf *nf; /* registered NF on this connection, or NULL */
	size_t len;    /* bytes in buf */
	uint8_t buf[sizeof(struct myr_msg_hdr) + MYR_CMD_MAX];
};

static int epfd = -1;
static int listen_fd = -1;
static int sig_fd = -1;
static struct ev listen_ev, sig_ev;
static pthread_t ctl_thread;
static unsigned int n_conns;

int
ev_add(int fd, struct ev *ev, uint32_t events)
{
	struct epoll_event e = { .events = events, .data.ptr = ev };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &e);
}

void
ev_del(int fd)
{
	epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
}

void
conn_close(struct conn *c)
{
	if (c->nf != NULL && c->nf->proc != NULL)
		c->nf->proc->conn = NULL;
	ev_del(c->fd);
	close(c->fd);
	n_conns--;
	free(c);
}

static void
reply(struct conn *c, uint32_t seq, int status, const struct out *o)
{
	uint32_t len = sizeof(int32_t) + (o != NULL ? o->len : 0);
	char *p = malloc(len);
	int32_t st = status;

	if (p == NULL) {
		st = -ENOMEM;
		len = sizeof(st);
		p = (char *)&st;
	} else {
		memcpy(p, &st, sizeof(st));
		if (o != NULL && o->len > 0)
			memcpy(p + sizeof(st), o->buf, o->len);
	}
	/* the socket is blocking with a send timeout: a stalled client costs 2 s at most */
	if (myr_msg_send(c->fd, MYR_MSG_REPLY, seq, p, len, NULL, 0) < 0)
		LOG(DEBUG, "reply to a client failed");
	if (p != (char *)&st)
		free(p);
}

static void
do_cmd(struct conn *c, const struct myr_msg_hdr *h, const void *payload)
{
	const char *argv[MYR_CMD_ARGS_MAX];
	struct out o = { 0 };
	int argc, ret;

	ctl_err_clear();
	argc = myr_cmd_decode(payload, h->len, argv, MYR_CMD_ARGS_MAX);
	if (argc < 0) {
		ret = ctl_err(argc, "malformed command message");
	} else {
		pthread_mutex_lock(&ctl_lock);
		ret = cmd_run(argc, argv, &o);
		pthread_mutex_unlock(&ctl_lock);
	}
	if (o.failed) {
		ret = -ENOMEM;
		o.len = 0;
	}
	if (ret < 0) {
		/* a failed command's reply is its one message */
		o.len = 0;
		o.failed = false;
		out_printf(&o, "%s", ctl_errmsg()[0] ? ctl_errmsg() : strerror(-ret));
	}
	reply(c, h->seq, ret, &o);
	free(o.buf);
}

static void __attribute__((format(printf, 4, 5)))
welcome_error(struct conn *c, uint32_t seq, int status, const char *fmt, ...)
{
	struct myr_welcome w = { .status = status };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w.error, sizeof(w.error), fmt, ap);
	va_end(ap);
	LOG(NOTICE, "NF registration refused: %s", w.error);
	myr_msg_send(c->fd, MYR_MSG_WELCOME, seq, &w, sizeof(w), NULL, 0);
}

/* The NF's DPDK must be the switch's: the rings and mbufs are DPDK's structs. */
static int
dpdk_abi_check(const struct myr_hello *h)
{
	if (h->dpdk_version >> 16 == RTE_VERSION >> 16 && h->mbuf_size == sizeof(struct rte_mbuf) &&
	    h->ring_hdr_size == sizeof(struct rte_ring))
		return 0;
	return ctl_err(-EPROTONOSUPPORT,
		       "NF built against DPDK %u.%02u (rte_mbuf %u B, rte_ring %u B), the switch "
		       "runs %u.%02u (%zu B, %zu B)",
		       h->dpdk_version >> 24, h->dpdk_version >> 16 & 0xff, h->mbuf_size,
		       h->ring_hdr_size, RTE_VER_YEAR, RTE_VER_MONTH, sizeof(struct rte_mbuf),
		       sizeof(struct rte_ring));
}

/* Find the NF a registration names, or add it to the tenant it asks to join. */
static int
hello_nf(const struct myr_hello *hello, struct nf **nf)
{
	struct tenant *t;

	*nf = nf_lookup(hello->name);
	if (*nf != NULL)
		return 0;
	if (hello->tenant[0] == '\0')
		return ctl_err(-ENOENT,
			       "unknown NF %s (declare it with 'myriadctl nf add', or give a "
			       "tenant)",
			       hello->name);
	t = tenant_lookup(hello->tenant);
	if (t == NULL)
		return ctl_err(-ENOENT, "no tenant %s", hello->tenant);
	return nf_add(hello->name, t, -1, hello->transport, NULL, nf);
}

static void
do_hello(struct conn *c, const struct myr_msg_hdr *h, const void *payload)
{
	struct myr_welcome w = { .status = 0 };
	struct myr_hello hello;
	int fds[MYR_FDS_MAX];
	unsigned int n_fds = 0;
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	struct nf *nf;
	int ret;

	ctl_err_clear();
	ret = myr_hello_check(payload, h->len);
	if (ret == -EPROTONOSUPPORT)
		return welcome_error(c, h->seq, ret, "shared-memory layout version differs");
	if (ret < 0)
		return welcome_error(c, h->seq, ret, "malformed registration");
	memcpy(&hello, payload, sizeof(hello));
	if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0)
		return welcome_error(c, h->seq, -errno, "no peer credentials");
	if (c->nf != NULL)
		return welcome_error(c, h->seq, -EISCONN, "already registered as %s", c->nf->name);

	pthread_mutex_lock(&ctl_lock);
	ret = dpdk_abi_check(&hello);
	if (ret == 0)
		ret = hello_nf(&hello, &nf);
	if (ret == 0)
		ret = nf_attach(nf, c, cred.pid, hello.transport, &w, fds, &n_fds);
	pthread_mutex_unlock(&ctl_lock);
	if (ret < 0)
		return welcome_error(c, h->seq, ret, "%s", ctl_errmsg());
	c->nf = nf;
	if (myr_msg_send(c->fd, MYR_MSG_WELCOME, h->seq, &w, sizeof(w), fds, n_fds) < 0) {
		/* it will not learn its slot: treat it like any NF that went away */
		LOG(NOTICE, "NF %s: welcome failed", nf->name);
		pthread_mutex_lock(&ctl_lock);
		conn_close(c);
		proc_conn_closed(nf->proc);
		pthread_mutex_unlock(&ctl_lock);
		return;
	}
	LOG(INFO, "NF %s attached: pid %d, slot %d", nf->name, cred.pid, nf->slot);
}

static void
conn_event(struct ev *ev, uint32_t events)
{
	struct conn *c = container_of(ev, struct conn, ev);
	struct myr_msg_hdr h;
	ssize_t r;
	int ret;

	(void)events;
	r = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, MSG_DONTWAIT);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0)
		goto closed;
	c->len += r;
	while (c->len >= sizeof(h)) {
		size_t total;

		memcpy(&h, c->buf, sizeof(h));
		ret = myr_msg_hdr_check(&h);
		if (ret == 0 && h.type != MYR_MSG_CMD && h.type != MYR_MSG_HELLO)
			ret = -EBADMSG;
		if (ret < 0) {
			LOG(NOTICE, "closing a control connection: bad message (%s)",
			    strerror(-ret));
			goto closed;
		}
		total = sizeof(h) + h.len;
		if (c->len < total)
			return;
		if (h.type == MYR_MSG_CMD)
			do_cmd(c, &h, c->buf + sizeof(h));
		else
			do_hello(c, &h, c->buf + sizeof(h));
		memmove(c->buf, c->buf + total, c->len - total);
		c->len -= total;
	}
	return;
closed:
	pthread_mutex_lock(&ctl_lock);
	{
		struct nf *nf = c->nf;

		conn_close(c);
		if (nf != NULL)
			proc_conn_closed(nf->proc);
	}
	pthread_mutex_unlock(&ctl_lock);
}

static void
listen_event(struct ev *ev, uint32_t events)
{
	struct timeval tv = { .tv_sec = 2 };
	struct conn *c;
	int fd;

	(void)ev;
	(void)events;
	fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		close(fd);
		return;
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	c->fd = fd;
	c->ev.fn = conn_event;
	if (ev_add(fd, &c->ev, EPOLLIN) < 0) {
		close(fd);
		free(c);
		return;
	}
	n_conns++;
}

static void
sig_event(struct ev *ev, uint32_t events)
{
	struct signalfd_siginfo si;

	(void)ev;
	(void)events;
	if (read(sig_fd, &si, sizeof(si)) == sizeof(si)) {
		LOG(NOTICE, "signal %u: shutting down", si.ssi_signo);
		/* 2: the control thread still has NFs to stop */
		__atomic_store_n(&sw.quit, 2, __ATOMIC_RELAXED);
	}
}

static int
listen_init(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char dir[sizeof(a.sun_path)], *slash;
	int fd;

	if (strlen(sw.conf.socket) >= sizeof(a.sun_path)) {
		LOG(ERR, "socket path too long: %s", sw.conf.socket);
		return -ENAMETOOLONG;
	}
	strcpy(a.sun_path, sw.conf.socket);
	strcpy(dir, sw.conf.socket);
	slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0755);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* a live switch answers on the socket: never steal it, only replace a stale one */
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0) {
		close(fd);
		LOG(ERR, "%s: another switch is running there", sw.conf.socket);
		return -EADDRINUSE;
	}
	unlink(sw.conf.socket);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 1024) < 0) {
		int e = -errno;

		LOG(ERR, "%s: %s", sw.conf.socket, strerror(errno));
		close(fd);
		return e;
	}
	listen_fd = fd;
	return 0;
}

static void *
ctl_main(void *arg)
{
	(void)arg;
	while (__atomic_load_n(&sw.quit, __ATOMIC_RELAXED) == 0) {
		struct epoll_event e;
		int n = epoll_wait(epfd, &e, 1, 200);

		/*
		 * One event at a time: handling one may free the object another event of
		 * the same batch points to (an NF whose connection and pidfd both fired).
		 */
		if (n == 1)
			((struct ev *)e.data.ptr)->fn(e.data.ptr, e.events);
		pthread_mutex_lock(&ctl_lock);
		proc_kill_lingering();
		nf_retry_gone();
		pthread_mutex_unlock(&ctl_lock);
	}
	pthread_mutex_lock(&ctl_lock);
	proc_stop_all();
	pthread_mutex_unlock(&ctl_lock);
	__atomic_store_n(&sw.quit, 1, __ATOMIC_RELEASE);
	return NULL;
}

int
ctl_start(void)
{
	sigset_t set;
	int ret;

	ret = mem_init();
	if (ret < 0)
		return ret;
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		return -errno;
	ret = listen_init();
	if (ret < 0)
		return ret;
	listen_ev.fn = listen_event;
	ev_add(listen_fd, &listen_ev, EPOLLIN);
	/* signals are blocked in every thread (main() did it) and read here */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sig_fd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sig_fd < 0)
		return -errno;
	sig_ev.fn = sig_event;
	ev_add(sig_fd, &sig_ev, EPOLLIN);
	ret = rte_ctrl_thread_create(&ctl_thread, "myr-ctl", NULL, ctl_main, NULL);
	if (ret != 0)
		return -ret;
	/*
	 * The control thread shares its core with the NFs. At normal priority, 2000
	 * runnable NFs would each get a turn before it does, and attaching one NF
	 * would take seconds; as a real-time thread it runs as soon as it has work, and
	 * it only ever has little (it sleeps in epoll_wait). NFs it spawns are reset to
	 * SCHED_OTHER (registry.c).
	 */
	{
		struct sched_param sp = { .sched_priority = 1 };

		ret = pthread_setschedparam(ctl_thread, SCHED_FIFO, &sp);
		if (ret != 0)
			LOG(WARNING, "control thread stays at normal priority: %s", strerror(ret));
	}
	if (sw.conf.ctl_core >= 0) {
		rte_cpuset_t cpus;

		CPU_ZERO(&cpus);
		CPU_SET(sw.conf.ctl_core, &cpus);
		pthread_setaffinity_np(ctl_thread, sizeof(cpus), &cpus);
	}
	return 0;
}

void
ctl_join(void)
{
	pthread_join(ctl_thread, NULL);
	if (listen_fd >= 0) {
		close(listen_fd);
		unlink(sw.conf.socket);
	}
	if (sig_fd >= 0)
		close(sig_fd);
	if (epfd >= 0)
		close(epfd);
}
