/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The processes that run NFs: spawn, watch (pidfd), stop, kill, reap. A process's end
 * is reported to nf_gone(), which takes the NF's slot back.
 *
 * What a spawned NF gets, and nothing else:
 *   - fd 3: its own end of a socketpair to the switch, on which it may register as this
 *     NF and no other (MYRIAD_FD=3); it needs no access to the control socket;
 *   - fd 4: the program, opened by the switch (exec by fd: no path of the switch's needs
 *     to be reachable by the NF's user); 0-2 as the switch's; every other fd closed;
 *   - the user and group --nf-uids + its tenant's number (0: the switch's own), no
 *     supplementary groups, no capabilities, no new privileges: NFs of two tenants
 *     cannot signal or trace each other;
 *   - SCHED_OTHER, nice -10 until it registers (to load and attach quickly among
 *     thousands of runnable NFs), then nice 0; default signal dispositions, none
 *     blocked; the cwd /.
 * An NF that does not register within --nf-start-timeout is killed; one asked to stop
 * that is still there after --nf-stop-timeout is killed too. Signals go by pidfd: a pid
 * may have been reused, a pidfd cannot.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/prctl.h>
#include <linux/sched.h>

#include <rte_cycles.h>

#include "control.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif
#define START_NICE (-10)

extern char **environ;

uint32_t proc_start_timeout_ms = 5000;
uint32_t proc_stop_timeout_ms = 1000;
static uint32_t n_deadlines; /* processes with a start or kill deadline */

void
free_argv(char **argv)
{
	char **a;

	if (argv == NULL)
		return;
	for (a = argv; *a != NULL; a++)
		free(*a);
	free(argv);
}

static uint64_t
ms_from_now(uint32_t ms)
{
	return rte_get_timer_cycles() + rte_get_timer_hz() * ms / 1000;
}

static void
set_deadline(uint64_t *at, uint64_t when)
{
	if (*at == 0)
		n_deadlines++;
	*at = when;
}

static void
clear_deadline(uint64_t *at)
{
	if (*at != 0)
		n_deadlines--;
	*at = 0;
}

struct nf_proc *
proc_create(struct nf *nf, char **exec_argv)
{
	struct nf_proc *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->nf = nf;
	p->pidfd = -1;
	p->exec_argv = exec_argv;
	return p;
}

static void
unwatch(struct nf_proc *p)
{
	if (p->pidfd >= 0) {
		ev_del(p->pidfd);
		close(p->pidfd);
		p->pidfd = -1;
	}
}

/*
 * The command that started the NF waits for it: tell it how it went. An NF that the
 * waiting `nf add` added, and that did not come up, goes again: the command failed, so
 * it changed nothing.
 */
static void
resolve(struct nf_proc *p, int status, const char *text)
{
	if (p->waiter == NULL)
		return;
	conn_resolve(p->waiter, status, text);
	p->waiter = NULL;
	if (status < 0 && p->forget_on_fail)
		nf_forget(p->nf);
	p->forget_on_fail = false;
}

void
proc_wait(struct nf_proc *p, struct conn *c, uint32_t seq, bool forget_on_fail)
{
	p->waiter = c;
	p->forget_on_fail = forget_on_fail;
	conn_defer(c, seq);
}

/* A connection that waited for an NF went away: nobody waits any more. */
void
proc_unwait(struct conn *c)
{
	struct nf *nf;

	TAILQ_FOREACH (nf, &nfs, next)
		if (nf->proc != NULL && nf->proc->waiter == c) {
			nf->proc->waiter = NULL;
			nf->proc->forget_on_fail = false;
		}
}

void
proc_destroy(struct nf_proc *p)
{
	if (p == NULL)
		return;
	unwatch(p);
	clear_deadline(&p->start_by);
	clear_deadline(&p->kill_at);
	p->forget_on_fail = false; /* it is being freed already */
	resolve(p, -ECANCELED, "the NF was deleted before it registered");
	free_argv(p->exec_argv);
	free(p);
}

static void
pid_event(struct ev *ev, uint32_t events)
{
	struct nf_proc *p = container_of(ev, struct nf_proc, pid_ev);

	(void)events;
	nf_gone(p->nf);
}

static int
watch_fd(struct nf_proc *p, int fd)
{
	p->pid_ev.fn = pid_event;
	if (ev_add(fd, &p->pid_ev, EPOLLIN) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	p->pidfd = fd;
	return 0;
}

/*
 * SIGKILL, by pidfd. A child we have not reaped cannot have lost its pid: by pid then.
 * Where the kernel (or valgrind) lacks pidfd_send_signal, by pid too: the window in
 * which a process started by hand could have exited and its pid been reused is the
 * price of running there.
 */
static void
proc_kill(struct nf_proc *p)
{
	if (p->pidfd >= 0 && syscall(SYS_pidfd_send_signal, p->pidfd, SIGKILL, NULL, 0) == 0)
		return;
	if (p->pid > 0 && (p->spawned || errno == ENOSYS))
		kill(p->pid, SIGKILL);
}

/* --- spawn --- */

struct child_args {
	char **argv, **envp;
	int sock, prog;
	uid_t uid;
	gid_t gid;
	bool change_ids;
	int err; /* written by the child if it could not exec (shared memory: CLONE_VM) */
};

/*
 * The child, between clone() and exec: it shares the switch's memory (CLONE_VM) with
 * the parent thread suspended (CLONE_VFORK), so it only makes raw system calls on its
 * own stack and writes nothing but args->err.
 */
static int
child_main(void *arg)
{
	struct child_args *a = arg;
	struct sched_param sp = { .sched_priority = 0 };
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;
	int sig, sock, prog;

	sigemptyset(&none);
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			syscall(SYS_rt_sigaction, sig, &dfl, NULL, _NSIG / 8);
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, _NSIG / 8);
	if (syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, &sp) < 0 ||
	    syscall(SYS_setpriority, PRIO_PROCESS, 0, START_NICE) < 0)
		goto fail;
	/* out of the way of 3 and 4 first, then into them (dup2 leaves no CLOEXEC) */
	sock = syscall(SYS_fcntl, a->sock, F_DUPFD, 10);
	prog = syscall(SYS_fcntl, a->prog, F_DUPFD, 10);
	if (sock < 0 || prog < 0 || syscall(SYS_dup2, sock, 3) < 0 ||
	    syscall(SYS_dup2, prog, 4) < 0 || syscall(SYS_close_range, 5, ~0U, 0) < 0 ||
	    syscall(SYS_chdir, "/") < 0)
		goto fail;
	if (a->change_ids && (syscall(SYS_setgroups, 0, NULL) < 0 ||
			      syscall(SYS_setresgid, a->gid, a->gid, a->gid) < 0 ||
			      syscall(SYS_setresuid, a->uid, a->uid, a->uid) < 0))
		goto fail;
	if (syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		goto fail;
	syscall(SYS_execveat, 4, "", a->argv, a->envp, AT_EMPTY_PATH);
fail:
	a->err = errno != 0 ? errno : EINVAL;
	syscall(SYS_exit, 127);
	return 127;
}

/* The program to run: a path as given, or a name looked up in the switch's PATH. */
static int
open_program(const char *name)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (strchr(name, '/') != NULL || path == NULL)
		return open(name, O_RDONLY | O_CLOEXEC);
	while (*path != '\0') {
		size_t n = strcspn(path, ":");
		int fd;

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, n ? path : ".", name);
		fd = open(buf, O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			return fd;
		path += n + (path[n] == ':');
	}
	errno = ENOENT;
	return -1;
}

static char **
child_env(const struct nf *nf)
{
	char **envp;
	size_t n = 0, i;
	char *own[4];

	while (environ[n] != NULL)
		n++;
	envp = calloc(n + 5, sizeof(*envp));
	if (envp == NULL)
		return NULL;
	if (asprintf(&own[0], "MYRIAD_FD=3") < 0 ||
	    asprintf(&own[1], "MYRIAD_NF=%s", nf->name) < 0 ||
	    asprintf(&own[2], "MYRIAD_TENANT=%s", nf->tenant ? nf->tenant->name : "") < 0 ||
	    asprintf(&own[3], "MYRIAD_TRANSPORT=%s", myr_transport_name(nf->kind)) < 0) {
		free(envp);
		return NULL;
	}
	n = 0;
	for (i = 0; i < 4; i++)
		envp[n++] = own[i];
	for (i = 0; environ[i] != NULL; i++)
		if (strncmp(environ[i], "MYRIAD_", 7) != 0)
			envp[n++] = environ[i];
	envp[n] = NULL;
	return envp;
}

static void
env_free(char **envp)
{
	unsigned int i;

	if (envp == NULL)
		return;
	for (i = 0; i < 4 && envp[i] != NULL; i++)
		free(envp[i]);
	free(envp);
}

int
proc_spawn(struct nf_proc *p)
{
	struct nf *nf = p->nf;
	struct child_args a = { .argv = p->exec_argv, .sock = -1, .prog = -1 };
	const size_t stack_size = 64 * 1024;
	struct ucred cred;
	char *stack = NULL;
	int sv[2] = { -1, -1 }, ret, fd;
	pid_t pid;

	a.prog = open_program(p->exec_argv[0]);
	if (a.prog < 0)
		return ctl_err(-errno, "cannot start %s: %s", p->exec_argv[0], strerror(errno));
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		ret = ctl_err(-errno, "cannot start %s: socketpair: %s", p->exec_argv[0],
			      strerror(errno));
		goto out;
	}
	a.sock = sv[1];
	if (sw.conf.nf_uid_base != 0 && nf->tenant != NULL) {
		a.change_ids = true;
		a.uid = sw.conf.nf_uid_base + nf->tenant->id;
		a.gid = a.uid;
	}
	a.envp = child_env(nf);
	stack = malloc(stack_size);
	if (a.envp == NULL || stack == NULL) {
		ret = ctl_err(-ENOMEM, "out of memory");
		goto out;
	}
	pid = clone(child_main, stack + stack_size, CLONE_VM | CLONE_VFORK | SIGCHLD, &a);
	if (pid < 0 || a.err != 0) {
		int e = pid < 0 ? errno : a.err;

		if (pid > 0)
			waitpid(pid, NULL, 0);
		ret = ctl_err(-e, "cannot start %s: %s", p->exec_argv[0], strerror(e));
		goto out;
	}
	/* our child, not reaped: its pid is its own until waitpid, so pidfd_open is safe */
	fd = syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0 || watch_fd(p, fd) < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		ret = ctl_err(-EMFILE, "cannot watch %s (pid %d): out of fds", p->exec_argv[0],
			      pid);
		goto out;
	}
	p->pid = pid;
	p->spawned = true;
	cred = (struct ucred){ .pid = pid,
			       .uid = a.change_ids ? a.uid : geteuid(),
			       .gid = a.change_ids ? a.gid : getegid() };
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	if (conn_create(sv[0], &cred, false, nf) == NULL) {
		proc_kill(p);
		ret = ctl_err(-ENOMEM, "out of memory");
		goto out; /* its pidfd reports the exit: nf_gone */
	}
	sv[0] = -1;
	nf->state = NF_STARTING;
	set_deadline(&p->start_by, ms_from_now(proc_start_timeout_ms));
	LOG(INFO, "NF %s: started %s, pid %d%s", nf->name, p->exec_argv[0], pid,
	    a.change_ids ? "" : " (as the switch's user)");
	ret = 0;
out:
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	close(a.prog);
	env_free(a.envp);
	free(stack);
	return ret;
}

/* A process registered as this NF on connection c. */
int
proc_attach(struct nf_proc *p, struct conn *c, pid_t pid)
{
	if (pid <= 1 || pid == getpid())
		return ctl_err(-EPERM, "pid %d cannot be an NF", (int)pid);
	if (!p->spawned) {
		/* started by hand: watch it from now on, by a pidfd of the very peer */
		int fd = conn_peer_pidfd(c);

		if (fd < 0)
			fd = syscall(SYS_pidfd_open, pid, 0);
		if (fd < 0)
			return ctl_err(-errno, "cannot watch pid %d: %s", (int)pid,
				       strerror(errno));
		unwatch(p);
		if (watch_fd(p, fd) < 0)
			return ctl_err(-EMFILE, "cannot watch pid %d: out of fds", (int)pid);
		p->pid = pid;
	} else {
		setpriority(PRIO_PROCESS, pid, 0); /* the start boost ends */
	}
	clear_deadline(&p->start_by);
	p->conn = c;
	if (c != NULL)
		conn_set_nf(c, p->nf);
	resolve(p, 0, "");
	return 0;
}

/* Undo proc_attach: the registration was refused after all. */
void
proc_detach(struct nf_proc *p)
{
	if (p->conn != NULL)
		conn_set_nf(p->conn, NULL);
	p->conn = NULL;
	if (!p->spawned) {
		unwatch(p);
		p->pid = 0;
	}
}

/*
 * Ask the process to leave: closing its connection is the stop signal it cannot miss.
 * If it is still there after --nf-stop-timeout, it is killed.
 */
void
proc_stop(struct nf_proc *p)
{
	struct nf *nf = p->nf;

	if (p->conn != NULL)
		conn_close(p->conn);
	if (p->pid > 0 && p->pidfd >= 0) {
		if (nf->state == NF_STARTING) {
			resolve(p, -ECANCELED, "the NF was stopped before it registered");
			proc_kill(p);
		}
		nf->state = NF_DYING;
		set_deadline(&p->kill_at, ms_from_now(proc_stop_timeout_ms));
		return;
	}
	/* no process we could wait for: nothing can touch the slot any more */
	nf_gone(nf);
}

/* The NF's connection closed: make sure its process is gone, then reclaim. */
void
proc_conn_closed(struct nf_proc *p)
{
	struct nf *nf = p->nf;

	p->conn = NULL;
	if (nf->state != NF_UP && nf->state != NF_DYING)
		return;
	nf->state = NF_DYING;
	if (p->pidfd < 0) {
		nf_gone(nf);
		return;
	}
	/*
	 * Nothing is reclaimed before the pidfd says the process is gone. A process that
	 * closed its connection and then exits normally (myr_nf_detach, then exit) gets
	 * a moment to do so; one that lets go of the switch and runs on, and so may still
	 * touch its rings, is killed.
	 */
	set_deadline(&p->kill_at, ms_from_now(200));
}

/* Every tick: kill who did not register in time, and who did not leave in time. */
void
proc_tick(void)
{
	uint64_t now = rte_get_timer_cycles();
	struct nf *nf;

	if (n_deadlines == 0)
		return;
	TAILQ_FOREACH (nf, &nfs, next) {
		struct nf_proc *p = nf->proc;
		char msg[128];

		if (p == NULL)
			continue;
		if (p->start_by != 0 && now >= p->start_by) {
			clear_deadline(&p->start_by);
			snprintf(msg, sizeof(msg), "NF %s did not register within %u ms: killed",
				 nf->name, proc_start_timeout_ms);
			LOG(NOTICE, "%s", msg);
			resolve(p, -ETIMEDOUT, msg);
			proc_kill(p);
		}
		if (p->kill_at != 0 && now >= p->kill_at) {
			clear_deadline(&p->kill_at);
			LOG(NOTICE, "NF %s (pid %d) did not leave when asked: killing it", nf->name,
			    (int)p->pid);
			proc_kill(p);
		}
	}
}

/* The process has exited (or can no longer be waited for): forget it. */
void
proc_gone(struct nf_proc *p)
{
	struct nf *nf = p->nf;
	char msg[160] = "";
	int status;

	unwatch(p);
	clear_deadline(&p->start_by);
	clear_deadline(&p->kill_at);
	if (p->spawned && p->pid > 0 && waitpid(p->pid, &status, 0) == p->pid) {
		if (WIFSIGNALED(status))
			snprintf(msg, sizeof(msg), "NF %s (pid %d) killed by signal %d", nf->name,
				 (int)p->pid, WTERMSIG(status));
		else if (nf->state != NF_DYING || WEXITSTATUS(status) != 0)
			snprintf(msg, sizeof(msg), "NF %s (pid %d) exited with status %d", nf->name,
				 (int)p->pid, WEXITSTATUS(status));
		if (msg[0] != '\0')
			LOG(NOTICE, "%s", msg);
	}
	if (p->waiter != NULL)
		resolve(p, -ECHILD,
			msg[0] ? msg : "the NF's process went away before it registered");
	if (p->conn != NULL)
		conn_close(p->conn);
	p->pid = 0;
	p->spawned = false;
}

/* Shutdown: stop every NF, wait for them a little, then reclaim by force. */
void
proc_stop_all(void)
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
			struct nf_proc *p = nf->proc;
			struct pollfd pf;

			if (p == NULL || p->pid <= 0 || p->pidfd < 0)
				continue;
			pf = (struct pollfd){ .fd = p->pidfd, .events = POLLIN };
			if (poll(&pf, 1, 0) == 1)
				nf_gone(nf);
			else
				waiting = true;
		}
		if (waiting)
			rte_delay_us_sleep(1000);
	} while (waiting && rte_get_timer_cycles() < deadline);
	RTE_TAILQ_FOREACH_SAFE (nf, &nfs, next, tmp) {
		struct nf_proc *p = nf->proc;

		if (p != NULL && p->pid > 0) {
			LOG(WARNING, "NF %s (pid %d) did not exit: killing it", nf->name, p->pid);
			proc_kill(p);
			if (p->pidfd >= 0) {
				struct pollfd pf = { .fd = p->pidfd, .events = POLLIN };

				poll(&pf, 1, 1000);
			}
		}
		nf_gone(nf);
	}
}
