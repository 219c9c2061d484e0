/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control thread: one epoll loop over the control socket, its connections
 * (conn.c: myriadctl commands and NF registrations), NF process exits (pidfds) and
 * the shutdown signals, plus the timers of a 100 ms tick (connection and process
 * deadlines). Single-threaded by design; it holds ctl_lock while it handles an event,
 * against telemetry readers.
 */
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_lcore.h>

#include "control.h"

pthread_mutex_t ctl_lock = PTHREAD_MUTEX_INITIALIZER;

static int epfd = -1;
static int listen_fd = -1;
static int sig_fd = -1;
static struct ev listen_ev, sig_ev;
static pthread_t ctl_thread;
static gid_t socket_gid;
static uint64_t accept_paused_until; /* TSC; 0: accepting */

#define TICK_MS 100 /* granularity of every deadline of the control plane */

int
ev_add(int fd, struct ev *ev, uint32_t events)
{
	struct epoll_event e = { .events = events, .data.ptr = ev };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &e);
}

int
ev_mod(int fd, struct ev *ev, uint32_t events)
{
	struct epoll_event e = { .events = events, .data.ptr = ev };

	return epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &e);
}

void
ev_del(int fd)
{
	epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
}

/* May this peer run commands? Root, the switch's own user, or the socket's group. */
static bool
peer_is_admin(int fd, const struct ucred *cred)
{
	gid_t groups[NGROUPS_MAX];
	socklen_t len = sizeof(groups);
	unsigned int i;

	if (cred->uid == 0 || cred->uid == geteuid())
		return true;
	if (socket_gid == 0)
		return false;
	if (cred->gid == socket_gid)
		return true;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0)
		return false;
	for (i = 0; i < len / sizeof(groups[0]); i++)
		if (groups[i] == socket_gid)
			return true;
	return false;
}

static void
listen_event(struct ev *ev, uint32_t events)
{
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	int fd;

	(void)ev;
	(void)events;
	fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
			/* out of fds: stop accepting for a moment rather than spin on a
			 * listening socket that stays readable */
			LOG(WARNING, "control socket: %s; not accepting for %d ms", strerror(errno),
			    TICK_MS);
			ev_mod(listen_fd, &listen_ev, 0);
			accept_paused_until = rte_get_timer_cycles() + rte_get_timer_hz() / 10;
		}
		return;
	}
	if (conn_count() >= sw.conf.max_conns) {
		LOG(NOTICE, "control socket: %u connections already: refusing one", conn_count());
		close(fd);
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0 ||
	    conn_create(fd, &cred, peer_is_admin(fd, &cred), NULL) == NULL)
		close(fd);
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
	if (sw.conf.socket_group != NULL) {
		struct group *g = getgrnam(sw.conf.socket_group);

		if (g == NULL) {
			LOG(ERR, "--socket-group %s: no such group", sw.conf.socket_group);
			return -ENOENT;
		}
		socket_gid = g->gr_gid;
	}
	strcpy(a.sun_path, sw.conf.socket);
	strcpy(dir, sw.conf.socket);
	slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0755);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* a live switch answers on the socket: never steal it, only replace a stale one */
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0) {
		close(fd);
		LOG(ERR, "%s: another switch is running there", sw.conf.socket);
		return -EADDRINUSE;
	}
	unlink(sw.conf.socket);
	/*
	 * Whoever can connect can register NFs, and admins can run commands: the socket
	 * is the switch user's and the admin group's only (0660), whatever the umask.
	 * Bound under a umask that leaves no window with a wider mode.
	 */
	{
		mode_t old = umask(0177);
		int ret = bind(fd, (struct sockaddr *)&a, sizeof(a));

		umask(old);
		if (ret == 0 && socket_gid != 0 && chown(sw.conf.socket, (uid_t)-1, socket_gid) < 0)
			ret = -1;
		if (ret == 0 && chmod(sw.conf.socket, 0660) < 0)
			ret = -1;
		if (ret < 0 || listen(fd, 1024) < 0) {
			int e = -errno;

			LOG(ERR, "%s: %s", sw.conf.socket, strerror(errno));
			close(fd);
			return e;
		}
	}
	listen_fd = fd;
	return 0;
}

/* The deadlines of the control plane, every tick. */
static void
tick(void)
{
	if (accept_paused_until != 0 && rte_get_timer_cycles() >= accept_paused_until) {
		accept_paused_until = 0;
		ev_mod(listen_fd, &listen_ev, EPOLLIN);
	}
	conn_tick();
	proc_tick();
	nf_retry_gone();
	nf_police();
}

/* One turn of the loop, for tests: an event if one comes within timeout_ms, a tick. */
int
ctl_poll_once(int timeout_ms)
{
	struct epoll_event e;
	int n = epoll_wait(epfd, &e, 1, timeout_ms);

	if (n == 1)
		((struct ev *)e.data.ptr)->fn(e.data.ptr, e.events);
	conn_run_ready();
	tick();
	conn_reap();
	return n;
}

static void *
ctl_main(void *arg)
{
	uint64_t next_tick = rte_get_timer_cycles();
	uint64_t tick_cycles = rte_get_timer_hz() * TICK_MS / 1000;

	(void)arg;
	while (__atomic_load_n(&sw.quit, __ATOMIC_RELAXED) == 0) {
		struct epoll_event e;
		int n = epoll_wait(epfd, &e, 1, TICK_MS);
		uint64_t now;

		pthread_mutex_lock(&ctl_lock);
		/*
		 * One event at a time: handling one may free the object another event of
		 * the same batch points to (an NF whose connection and pidfd both fired).
		 * Connections closed while handling it are freed after it.
		 */
		if (n == 1)
			((struct ev *)e.data.ptr)->fn(e.data.ptr, e.events);
		conn_run_ready();
		now = rte_get_timer_cycles();
		if (now >= next_tick) {
			tick();
			next_tick = now + tick_cycles;
		}
		conn_reap();
		pthread_mutex_unlock(&ctl_lock);
	}
	pthread_mutex_lock(&ctl_lock);
	proc_stop_all();
	conn_close_all();
	pthread_mutex_unlock(&ctl_lock);
	__atomic_store_n(&sw.quit, 1, __ATOMIC_RELEASE);
	return NULL;
}

int
ctl_epoll_init(void)
{
	if (epfd < 0)
		epfd = epoll_create1(EPOLL_CLOEXEC);
	return epfd >= 0 ? 0 : -errno;
}

int
ctl_start(void)
{
	sigset_t set;
	int ret;

	ret = mem_init();
	if (ret == 0)
		ret = ctl_epoll_init();
	if (ret < 0)
		return ret;
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
	 * The control thread shares its core with the NFs. At normal priority, attaching
	 * one of 2000 runnable NFs would take seconds; real-time, it runs as soon as it
	 * has work, and it only ever has little (it sleeps in epoll_wait, and nothing a
	 * peer does can make it wait: conn.c). What it spawns starts at normal priority
	 * (proc.c).
	 */
	sw_thread_for_nfs(ctl_thread, "control");
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
