/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The processes that run NFs: spawn, watch (pidfd), stop, kill the lingering, reap.
 * A process's end is reported to nf_gone(), which takes the NF's slot back.
 */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_cycles.h>

#include "control.h"

extern char **environ;

static uint32_t n_lingering; /* processes with a kill_at deadline */

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

void
proc_destroy(struct nf_proc *p)
{
	if (p == NULL)
		return;
	unwatch(p);
	if (p->kill_at != 0)
		n_lingering--;
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
watch_pid(struct nf_proc *p, pid_t pid)
{
	int fd = syscall(SYS_pidfd_open, pid, 0);

	p->pid = pid;
	p->pidfd = -1;
	if (fd < 0)
		return -errno; /* already gone, or a kernel without pidfd */
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
 * Start a program without the control thread's blocked SIGINT/SIGTERM. It keeps the
 * control thread's real-time priority until it registers (proc_attach lowers it):
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
proc_spawn(struct nf_proc *p)
{
	char env_sock[512], env_nf[64], env_tenant[64], env_tr[64];
	struct nf *nf = p->nf;
	char **envp;
	size_t n_env = 0, i;
	pid_t pid;
	int ret;

	while (environ[n_env] != NULL)
		n_env++;
	envp = calloc(n_env + 5, sizeof(*envp));
	if (envp == NULL)
		return ctl_err(-ENOMEM, "out of memory");
	snprintf(env_sock, sizeof(env_sock), "MYRIAD_SOCKET=%s", sw.conf.socket);
	snprintf(env_nf, sizeof(env_nf), "MYRIAD_NF=%s", nf->name);
	snprintf(env_tenant, sizeof(env_tenant), "MYRIAD_TENANT=%s",
		 nf->tenant ? nf->tenant->name : "");
	snprintf(env_tr, sizeof(env_tr), "MYRIAD_TRANSPORT=%s", myr_transport_name(nf->kind));
	n_env = 0;
	envp[n_env++] = env_sock;
	envp[n_env++] = env_nf;
	envp[n_env++] = env_tenant;
	envp[n_env++] = env_tr;
	for (i = 0; environ[i] != NULL; i++)
		if (strncmp(environ[i], "MYRIAD_", 7) != 0)
			envp[n_env++] = environ[i];
	envp[n_env] = NULL;
	ret = spawn(&pid, p->exec_argv, envp);
	free(envp);
	if (ret != 0)
		return ctl_err(-ret, "cannot start %s: %s", p->exec_argv[0], strerror(ret));
	p->spawned = true;
	nf->state = NF_STARTING;
	if (watch_pid(p, pid) < 0)
		LOG(WARNING, "NF %s: pidfd_open(%d) failed; relying on the connection", nf->name,
		    pid);
	LOG(INFO, "NF %s: started %s, pid %d", nf->name, p->exec_argv[0], pid);
	return 0;
}

int
proc_attach(struct nf_proc *p, struct conn *c, pid_t pid)
{
	struct sched_param sp = { .sched_priority = 0 };

	if (p->nf->state != NF_STARTING) {
		/* started by hand: watch it from now on */
		unwatch(p);
		p->spawned = false;
		watch_pid(p, pid);
	}
	/* an NF runs at normal priority, whatever it inherited (see spawn()) */
	sched_setscheduler(pid, SCHED_OTHER, &sp);
	p->conn = c;
	return 0;
}

/* Undo proc_attach: the registration was refused after all. */
void
proc_detach(struct nf_proc *p)
{
	p->conn = NULL;
	if (!p->spawned) {
		unwatch(p);
		p->pid = 0;
	}
}

/*
 * Ask the process to leave: closing its connection is the stop signal it cannot miss.
 * With no way to wait for its exit, make sure it is gone and reclaim now.
 */
void
proc_stop(struct nf_proc *p)
{
	struct nf *nf = p->nf;

	if (p->conn != NULL)
		conn_close(p->conn);
	if (p->pid > 0 && p->pidfd >= 0) {
		if (nf->state == NF_STARTING)
			kill(p->pid, SIGKILL);
		nf->state = NF_DYING;
		return;
	}
	if (p->pid > 0)
		kill(p->pid, SIGKILL);
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
	 * touch its rings, is killed (proc_kill_lingering).
	 */
	if (p->kill_at == 0)
		n_lingering++;
	p->kill_at = rte_get_timer_cycles() + rte_get_timer_hz() / 5; /* 200 ms */
}

/* Kill the processes that closed their connection a while ago but still run. */
void
proc_kill_lingering(void)
{
	uint64_t now = rte_get_timer_cycles();
	struct nf *nf;

	if (n_lingering == 0)
		return;
	TAILQ_FOREACH (nf, &nfs, next) {
		struct nf_proc *p = nf->proc;

		if (p == NULL || p->kill_at == 0 || now < p->kill_at)
			continue;
		LOG(NOTICE, "NF %s (pid %d) closed its connection but did not exit: killing it",
		    nf->name, p->pid);
		kill(p->pid, SIGKILL);
		p->kill_at = 0;
		n_lingering--;
	}
}

/* The process has exited (or can no longer be waited for): forget it. */
void
proc_gone(struct nf_proc *p)
{
	struct nf *nf = p->nf;
	int status;

	unwatch(p);
	if (p->kill_at != 0) {
		p->kill_at = 0;
		n_lingering--;
	}
	if (p->spawned && p->pid > 0 && waitpid(p->pid, &status, 0) == p->pid) {
		if (WIFSIGNALED(status))
			LOG(NOTICE, "NF %s (pid %d) killed by signal %d", nf->name, p->pid,
			    WTERMSIG(status));
		else if (nf->state != NF_DYING || WEXITSTATUS(status) != 0)
			LOG(NOTICE, "NF %s (pid %d) exited with status %d", nf->name, p->pid,
			    WEXITSTATUS(status));
	}
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
			kill(p->pid, SIGKILL);
			if (p->pidfd >= 0) {
				struct pollfd pf = { .fd = p->pidfd, .events = POLLIN };

				poll(&pf, 1, 1000);
			}
		}
		nf_gone(nf);
	}
}
