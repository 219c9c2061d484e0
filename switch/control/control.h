/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control plane's internal interfaces: the registry of tenants and NFs
 * (registry.c), the command interpreter (cmd.c), the socket server (control.c).
 * Everything here runs on the control thread, under ctl_lock (telemetry reads too).
 */
#ifndef MYRIAD_CONTROL_H
#define MYRIAD_CONTROL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/queue.h>
#include <sys/types.h>

#include <rte_tailq.h>

#include <myriad/proto.h>

#include "../switch.h"

extern pthread_mutex_t ctl_lock;

enum nf_state {
	NF_DOWN,     /* declared, no process attached */
	NF_STARTING, /* spawned by the switch, not registered yet */
	NF_UP,       /* attached: has a slot, receives packets */
	NF_DYING,    /* connection closed or stop asked; waiting for the process to exit */
};
extern const char *const nf_state_names[];

/* An event source in the control thread's epoll set. */
struct ev {
	void (*fn)(struct ev *ev, uint32_t events);
};

struct conn;
struct tenant;

struct nf {
	TAILQ_ENTRY(nf) next;
	char name[MYR_NAME_MAX];
	struct tenant *tenant; /* NULL once removed from its tenant */
	enum nf_state state;
	enum myr_transport transport;
	int32_t slot;     /* channel, or -1 */
	pid_t pid;        /* 0 when no process */
	struct ev pid_ev; /* pidfd readable: the process exited */
	int pidfd;
	struct conn *conn;   /* registration connection, while attached */
	char **exec_argv;    /* program the switch spawns, or NULL */
	bool spawned;        /* pid is our child: reap it */
	bool removed;        /* deleted: free once its process is gone */
	uint32_t n_starts;   /* processes that attached under this name */
	uint32_t gen;        /* attachment generation of its current slot */
	uint32_t wake_batch; /* B: see struct fwd_slot */
	uint32_t wake_timeout_us;
	uint64_t kill_at; /* connection closed, process alive: SIGKILL at this time */
};
TAILQ_HEAD(nf_list, nf);

struct tenant {
	TAILQ_ENTRY(tenant) next;
	char name[MYR_NAME_MAX];
	uint16_t port;
	uint16_t n_macs;
	uint16_t n_chain;
	uint64_t macs[SW_MAX_MACS];
	struct nf *chain[SW_MAX_CHAIN];
};
TAILQ_HEAD(tenant_list, tenant);

extern struct tenant_list tenants;
extern struct nf_list nfs;

/* Growable output buffer of a command's reply. */
struct out {
	char *buf;
	size_t len, cap;
	bool json;
	bool failed; /* allocation failed: reply with -ENOMEM */
};
void out_printf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* registry.c */
int registry_init(void);
void registry_fini(void);
struct tenant *tenant_lookup(const char *name);
struct nf *nf_lookup(const char *name);
int tenant_add(const char *name, const uint64_t *macs, unsigned int n_macs, uint16_t port,
	       struct out *err);
int tenant_del(struct tenant *t, struct out *err);
int nf_add(const char *name, struct tenant *t, int pos, char **exec_argv, enum myr_transport tr,
	   struct out *err);
int nf_del(struct nf *nf, struct out *err);
int nf_spawn(struct nf *nf, struct out *err);
int nf_attach(struct nf *nf, struct conn *c, pid_t pid, enum myr_transport tr);
void nf_gone(struct nf *nf);
void nf_conn_closed(struct nf *nf);
int fwd_publish(void);
int nf_set_wake(struct nf *nf, long batch, long timeout_us, struct out *err);
void registry_stop_all(void);
void registry_kill_lingering(void);
uint32_t registry_slots_used(void);
int mac_parse(const char *s, uint64_t *mac);
void mac_format(uint64_t mac, char *buf, size_t size);

/* control.c */
int ev_add(int fd, struct ev *ev, uint32_t events);
void ev_del(int fd);
void conn_close(struct conn *c);

/* cmd.c */
int cmd_run(int argc, const char *argv[], struct out *o);
int stats_telemetry_init(void);

#endif /* MYRIAD_CONTROL_H */
