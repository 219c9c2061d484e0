/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control plane's internal interfaces. Everything here runs on the control
 * thread, under ctl_lock (telemetry reads too):
 *   control.c  the loop: the socket, signals, timers
 *   conn.c     connections: buffering, replies, commands and registrations
 *   cmd.c      the command interpreter behind myriadctl
 *   out.c      replies and the one error message of a failed call
 *   fwd.c      the forwarding snapshot and grace periods
 *   tenant.c   tenants and their chains
 *   nf.c       NFs: chain members, their slots, attach and reclaim
 *   proc.c     the processes that run NFs: spawn, watch, stop, reap
 *   mem.c      the memory an NF that shares the switch's maps
 *   bpf.c      in-switch NFs' programs: ELF, our checks, DPDK's validator and JIT
 *   tr_<kind>.c the control half of each kind of NF (transport.h)
 *
 * Errors: a function that fails returns -errno and records one message for the user
 * with ctl_err(); whoever answers the user (a command's reply, a refused
 * registration) sends ctl_errmsg(). Nobody makes up text from an errno.
 */
#ifndef MYRIAD_CONTROL_H
#define MYRIAD_CONTROL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <rte_tailq.h>

#include <myriad/proto.h>

#include "../switch.h"
#include "../tpool.h"

extern pthread_mutex_t ctl_lock;

/* --- out.c --- */

struct conn;

/* Growable output buffer of a command's reply. */
struct out {
	char *buf;
	size_t len, cap;
	bool json;
	bool failed;         /* allocation failed: reply with -ENOMEM */
	struct conn *client; /* who asked (NULL: nobody waits, as in tests) */
	uint32_t seq;        /* its message's */
};

/* What cmd_run returns when the reply comes later (conn_defer()). */
#define CMD_DEFERRED 1
void out_printf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Record the message of a failure (replacing any earlier one); returns err (< 0). */
int ctl_err(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The message of the last failure since ctl_err_clear(), or "". */
const char *ctl_errmsg(void);
void ctl_err_clear(void);

/* --- control.c --- */

/* An event source in the control thread's epoll set. */
struct ev {
	void (*fn)(struct ev *ev, uint32_t events);
};

int ctl_epoll_init(void);
int ctl_poll_once(int timeout_ms);
int ev_add(int fd, struct ev *ev, uint32_t events);
int ev_mod(int fd, struct ev *ev, uint32_t events);
void ev_del(int fd);

/* --- conn.c --- */

struct nf;
struct conn *conn_create(int fd, const struct ucred *cred, bool admin, struct nf *spawned_for);
void conn_close(struct conn *c);
void conn_reap(void);
void conn_run_ready(void);
void conn_tick(void);
void conn_close_all(void);
unsigned int conn_count(void);
int conn_send(struct conn *c, uint16_t type, uint32_t seq, const void *payload, uint32_t len);
void conn_reply(struct conn *c, uint32_t seq, int status, const char *text, size_t len);
void conn_defer(struct conn *c, uint32_t seq);
void conn_resolve(struct conn *c, int status, const char *text);
int conn_peer_pidfd(const struct conn *c);
void conn_poll(struct conn *c, uint32_t events); /* handle events now (tests, fuzzing) */
void conn_set_nf(struct conn *c, struct nf *nf);
extern uint32_t conn_timeout_ms;

/* --- NFs and tenants --- */

enum nf_state {
	NF_DOWN,     /* declared, not running */
	NF_STARTING, /* its process was spawned and has not registered yet */
	NF_UP,       /* attached: has a slot, receives packets */
	NF_DYING,    /* connection closed or stop asked; waiting for the process to exit */
};
extern const char *const nf_state_names[];

struct nf;
struct tenant;

/* The process that runs an NF of a kind that has one (proc.c). */
struct nf_proc {
	pid_t pid; /* 0 when no process */
	int pidfd; /* readable when it exited; -1 */
	struct ev pid_ev;
	struct conn *conn;   /* its connection: registration, then lifeline */
	struct conn *waiter; /* a command waiting for it to register, or NULL */
	bool forget_on_fail; /* ... that added it: if it does not register, it goes */
	char **exec_argv;    /* program the switch spawns, or NULL: started by hand */
	bool spawned;        /* pid is our child: reap it */
	uint64_t start_by;   /* spawned: killed if not registered by then (TSC); 0 */
	uint64_t kill_at;    /* asked to leave, or its connection closed: killed then; 0 */
	struct nf *nf;
};

/* Per-NF settings of its kind (struct ctl_transport): their meaning is the kind's. */
union nf_tr_conf {
	uint64_t u64[4];
};

/* A member of a tenant's chain (nf.c). */
struct nf {
	TAILQ_ENTRY(nf) next;
	char name[MYR_NAME_MAX];
	struct tenant *tenant; /* NULL once removed from its tenant */
	enum nf_state state;
	enum myr_transport kind;
	const struct ctl_transport *tr;
	int32_t slot;         /* while UP, or -1 */
	uint32_t gen;         /* attachment generation of its current slot */
	uint32_t n_starts;    /* times it attached */
	bool removed;         /* deleted: freed once nothing holds it */
	struct nf_proc *proc; /* NULL for a kind without a process */
	struct tpool *tpool;  /* its tenant's pool while it has a slot (a reference), or NULL */
	union nf_tr_conf tr_conf;
};
TAILQ_HEAD(nf_list, nf);

struct tenant {
	TAILQ_ENTRY(tenant) next;
	char name[MYR_NAME_MAX];
	uint32_t id; /* 1..SW_MAX_TENANTS, unique among tenants: its NFs' uid is --nf-uids + id */
	uint16_t port;
	uint16_t n_macs;
	uint16_t n_chain;
	uint8_t macs[SW_MAX_MACS][MYR_MAC_ADDR_LEN];
	struct nf *chain[SW_MAX_CHAIN];
	struct tpool *tpool; /* its packet pool, made for its first process NF (tpool.h) */
};
TAILQ_HEAD(tenant_list, tenant);

extern struct tenant_list tenants;
extern struct nf_list nfs;

/* fwd.c */
int fwd_init(void);
void fwd_fini(void);
int fwd_publish(void);

/* tenant.c */
struct tenant *tenant_lookup(const char *name);
int tenant_add(const char *name, const uint8_t (*macs)[MYR_MAC_ADDR_LEN], unsigned int n_macs,
	       uint16_t port);
int tenant_del(struct tenant *t);
void tenants_fini(void);

/* nf.c */
int nf_registry_init(void);
void nf_registry_fini(void);
struct nf *nf_lookup(const char *name);
uint32_t nf_slots_used(void);
int nf_add(const char *name, struct tenant *t, int pos, enum myr_transport kind, char **exec_argv,
	   struct nf **out);
int nf_del(struct nf *nf);
int nf_set(struct nf *nf, const char *opt, const char *val);
int nf_start(struct nf *nf);
int nf_attach(struct nf *nf, struct conn *c, pid_t pid, enum myr_transport kind,
	      struct myr_welcome *w, int *fds, unsigned int *n_fds);
int nf_add_inswitch(const char *name, struct tenant *t, int pos, enum myr_transport kind,
		    const union nf_tr_conf *conf);
int nf_register(const void *payload, size_t len, const struct ucred *cred, bool admin,
		struct nf *spawned_for, struct conn *c, struct nf **out, struct myr_welcome *w,
		int *fds, unsigned int *n_fds);
void nf_stop(struct nf *nf);
void nf_gone(struct nf *nf);
void nf_retry_gone(void);
void nf_police(void);
void nf_free(struct nf *nf);
void nf_forget(struct nf *nf);
uint64_t nf_outstanding(const struct nf *nf);
void nf_drain_wait(struct nf *const *list, unsigned int n);

/* proc.c */
struct nf_proc *proc_create(struct nf *nf, char **exec_argv);
void proc_destroy(struct nf_proc *p);
int proc_spawn(struct nf_proc *p);
void proc_wait(struct nf_proc *p, struct conn *c, uint32_t seq, bool forget_on_fail);
void proc_unwait(struct conn *c);
int proc_attach(struct nf_proc *p, struct conn *c, pid_t pid);
void proc_detach(struct nf_proc *p);
void proc_stop(struct nf_proc *p);
void proc_conn_closed(struct nf_proc *p);
void proc_gone(struct nf_proc *p);
void proc_tick(void);
void proc_stop_all(void);
void free_argv(char **argv);
extern uint32_t proc_start_timeout_ms, proc_stop_timeout_ms;

/* mem.c */
int mem_init(void);
/*
 * A new memory object an NF may be handed, of len bytes (memfd_create flags besides
 * CLOEXEC and sealing), sealed at that size and mapped shared, populated, at *at if
 * it is not NULL (replacing what was there), else anywhere (*at: where).
 * @return its fd, or -errno.
 */
int mem_object(const char *name, size_t len, unsigned int mfd_flags, void **at);
/* The address space of every slot's channel (at start), and its release */
int mem_chans_init(void);
void mem_chans_fini(void);
/* A new channel for the NF of a slot, and the welcome that hands it over with the
 * packet memory (its tenant's pool, or with none the switch's hugepage segments); the
 * fds are the welcome's (the caller closes them once sent). */
int mem_welcome(uint32_t slot, const struct tpool *tp, struct myr_welcome *w, int *fds,
		unsigned int *n_fds);
/* The slot's NF is gone: its channel's object is let go (the slot's place stays mapped). */
void mem_chan_release(uint32_t slot);

/* bpf.c: load, check and compile a program; NULL with a message (ctl_err) */
struct bpf_prog;
struct bpf_prog *bpf_prog_load(const char *path, const char *section);
struct bpf_prog *bpf_prog_load_mem(const void *buf, size_t len, const char *section);
void bpf_prog_free(struct bpf_prog *p);
unsigned int bpf_progs_loaded(void); /* distinct programs: NFs that load the same code share one */
extern uint32_t bpf_max_insns, bpf_max_cost;

/* tr_bpf.c: add an in-switch NF, up at once; nothing of it stays if it fails */
int bpf_nf_add(const char *name, struct tenant *t, int pos, const char *path, const char *section,
	       const char *args);

/* cmd.c */
int cmd_run(int argc, const char *argv[], struct out *o);
int stats_telemetry_init(void);

#endif /* MYRIAD_CONTROL_H */
