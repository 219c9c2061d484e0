/* SPDX-License-Identifier: BSD-3-Clause */
/* A switch without EAL for unit tests and fuzzing (test_env.h). */
#include <errno.h>
#include <elf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf_def.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mempool.h>
#include <rte_memzone.h>

#include "bufs.h"
#include "control/transport.h"
#include "test_env.h"

struct test_env test_env;
/* where test_attach's NF processes connect (test_attach) */
static int nf_listen_fd = -1;
static struct sockaddr_un nf_addr = { .sun_family = AF_UNIX };

/* --- wraps (-Wl,--wrap=NAME): the calls that need EAL or a new process --- */

uint64_t __wrap_rte_get_tsc_hz(void);
void __wrap_rte_memzone_walk(void (*fn)(const struct rte_memzone *, void *), void *arg);
int __wrap_clone(int (*fn)(void *), void *stack, int flags, void *arg, ...);

uint64_t
__wrap_rte_get_tsc_hz(void)
{
	return TEST_TSC_HZ;
}

/* no EAL, no memzones */
void
__wrap_rte_memzone_walk(void (*fn)(const struct rte_memzone *, void *), void *arg)
{
	(void)fn;
	(void)arg;
}

int
__wrap_clone(int (*fn)(void *), void *stack, int flags, void *arg, ...)
{
	(void)fn;
	(void)stack;
	(void)flags;
	(void)arg;
	test_env.n_spawned++;
	errno = EACCES; /* no process is ever started by a test */
	return -1;
}

/* --- fake ports, on rte_eth_fp_ops: what rte_eth_rx/tx_burst call --- */

static void *queue_data[TEST_PORTS];
static void *queue_clbk[TEST_PORTS];

static uint16_t
port_rx(void *q, struct rte_mbuf **pkts, uint16_t n)
{
	struct test_port *p = q;
	uint16_t i;

	for (i = 0; i < n && p->rx_head < p->rx_n; i++)
		pkts[i] = p->rx[p->rx_head++];
	return i;
}

static uint16_t
port_tx(void *q, struct rte_mbuf **pkts, uint16_t n)
{
	struct test_port *p = q;
	uint16_t i;

	for (i = 0; i < n && p->tx_room > 0 && p->tx_n < TEST_MAX_PKTS; i++) {
		p->tx[p->tx_n++] = pkts[i];
		p->tx_room--;
	}
	return i;
}

void
test_port_rx(uint16_t p, struct rte_mbuf *m)
{
	struct test_port *tp = &test_env.ports[p];

	if (tp->rx_head == tp->rx_n)
		tp->rx_head = tp->rx_n = 0;
	tp->rx[tp->rx_n++] = m;
}

/* --- mbufs: a static set, and a pool whose ops hand them out in turn and only count
 * what comes back --- */

#define MBUF_SIZE 2304 /* header, dynfields and a 2 KB buffer */
static uint8_t mbuf_mem[TEST_MAX_PKTS][MBUF_SIZE] __attribute__((aligned(64)));
static unsigned int mbuf_next;
static struct rte_mempool fake_pool;

static int
ops_alloc(struct rte_mempool *mp)
{
	(void)mp;
	return 0;
}

static void
ops_free(struct rte_mempool *mp)
{
	(void)mp;
}

static int
ops_enqueue(struct rte_mempool *mp, void *const *objs, unsigned int n)
{
	(void)mp;
	(void)objs;
	test_env.freed += n;
	return 0;
}

static void
mbuf_init(struct rte_mbuf *m)
{
	memset(m, 0, sizeof(*m));
	m->buf_addr = (uint8_t *)m + sizeof(*m);
	m->buf_len = MBUF_SIZE - sizeof(*m);
	m->data_off = RTE_PKTMBUF_HEADROOM;
	m->nb_segs = 1;
	m->pool = &fake_pool;
	rte_mbuf_refcnt_set(m, 1);
}

static int
ops_dequeue(struct rte_mempool *mp, void **objs, unsigned int n)
{
	unsigned int i;

	(void)mp;
	for (i = 0; i < n; i++) {
		objs[i] = mbuf_mem[mbuf_next++ % TEST_MAX_PKTS];
		mbuf_init(objs[i]);
	}
	test_env.allocated += n;
	return 0;
}

static unsigned int
ops_get_count(const struct rte_mempool *mp)
{
	return mp->size; /* the pool is always full: tests count frees instead */
}

static const struct rte_mempool_ops test_ops = {
	.name = "myr_test",
	.alloc = ops_alloc,
	.free = ops_free,
	.enqueue = ops_enqueue,
	.dequeue = ops_dequeue,
	.get_count = ops_get_count,
};
RTE_MEMPOOL_REGISTER_OPS(test_ops);

static int
test_ops_index(void)
{
	unsigned int i;

	for (i = 0; i < rte_mempool_ops_table.num_ops; i++)
		if (strcmp(rte_mempool_ops_table.ops[i].name, "myr_test") == 0)
			return (int)i;
	abort();
}

struct rte_mbuf *
test_mbuf(const char *dst_mac, uint16_t len)
{
	struct rte_mbuf *m = (struct rte_mbuf *)mbuf_mem[mbuf_next++ % TEST_MAX_PKTS];
	uint8_t *data;

	mbuf_init(m);
	m->data_len = m->pkt_len = len;
	data = rte_pktmbuf_mtod(m, uint8_t *);
	memset(data, 0, len);
	if (myr_mac_parse(dst_mac, data) < 0)
		abort();
	return m;
}

/* --- the switch --- */

void
test_env_init(uint32_t max_nfs, uint32_t ring_size, uint32_t pool_size)
{
	uint32_t i;

	memset(&test_env, 0, sizeof(test_env));
	memset(&sw, 0, sizeof(sw));
	sw.conf = (struct sw_conf){ .socket = "/nonexistent/test.sock",
				    .max_nfs = max_nfs,
				    .ring_size = ring_size,
				    .pool_size = pool_size,
				    .max_frame = 1518,
				    .default_port = -1,
				    .ctl_core = -1,
				    /* the unit tests' mbufs are one static pool: pointers */
				    .shared_memory = true };
	memset(&fake_pool, 0, sizeof(fake_pool));
	fake_pool.size = pool_size;
	fake_pool.ops_index = test_ops_index();
	STAILQ_INIT(&fake_pool.elt_list);
	STAILQ_INIT(&fake_pool.mem_list);
	sw.pool = &fake_pool;
	sw.slot_stats = aligned_alloc(RTE_CACHE_LINE_SIZE, sizeof(*sw.slot_stats) * max_nfs);
	if (mem_chans_init() < 0 || sw.slot_stats == NULL)
		abort();
	memset(sw.slot_stats, 0, sizeof(*sw.slot_stats) * max_nfs);
	/* the dynfield where a real switch would get it: after the mbuf's own fields */
	sw.wire_tsc_off = offsetof(struct rte_mbuf, dynfield1) + 8;
	if (bufs_init_region(&fake_pool, mbuf_mem, TEST_MAX_PKTS, MBUF_SIZE,
			     MBUF_SIZE - sizeof(struct rte_mbuf), 0) < 0)
		abort();
	sw.n_ports = TEST_PORTS;
	for (i = 0; i < TEST_PORTS; i++) {
		struct rte_eth_fp_ops *ops = &rte_eth_fp_ops[i];

		sw.ports[i] = i;
		snprintf(sw.port_names[i], sizeof(sw.port_names[i]), "port%u", i);
		queue_data[i] = &test_env.ports[i];
		queue_clbk[i] = NULL;
		ops->rx_pkt_burst = port_rx;
		ops->tx_pkt_burst = port_tx;
		ops->rxq.data = &queue_data[i];
		ops->txq.data = &queue_data[i];
		ops->rxq.clbk = &queue_clbk[i];
		ops->txq.clbk = &queue_clbk[i];
		test_env.ports[i].tx_room = UINT32_MAX;
	}
	sw_logtype = RTE_LOGTYPE_USER1;
	rte_log_set_level(sw_logtype, RTE_LOG_ERR);
	sw.conf.max_conns = 64;
	proc_stop_timeout_ms = 10; /* test_attach's children ignore a stop: killed soon */
	proc_start_timeout_ms = 100;
	if (ctl_epoll_init() < 0 || nf_registry_init() < 0 || fwd_init() < 0)
		abort();
	sw.workers[0] = dp_worker_create(0);
	if (sw.workers[0] == NULL)
		abort();
	sw.n_workers = 1;
}

void
test_env_settle(void)
{
	uint64_t end = rte_get_tsc_cycles() + 10 * TEST_TSC_HZ; /* a few s of real time */
	struct nf *nf;
	bool dying;

	do {
		ctl_poll_once(5);
		dying = false;
		TAILQ_FOREACH (nf, &nfs, next)
			dying |= nf->state == NF_DYING || nf->state == NF_STARTING;
	} while (dying && rte_get_tsc_cycles() < end);
}

void
test_env_reset(void)
{
	struct tenant *t;
	struct nf *nf;

	/* the NFs' processes die first (test_attach's children): nothing waits for them */
	TAILQ_FOREACH (nf, &nfs, next)
		if (nf->proc != NULL && nf->proc->pid > 0 && kill(nf->proc->pid, SIGKILL) == 0)
			waitpid(nf->proc->pid, NULL, 0);
	while (ctl_poll_once(0) > 0)
		; /* their pidfds are readable now: nf_gone, slots reclaimed */
	while ((t = TAILQ_FIRST(&tenants)) != NULL)
		tenant_del(t);
	while ((nf = TAILQ_FIRST(&nfs)) != NULL) {
		nf->removed = true;
		nf_gone(nf); /* frees it, and its slot if it had one */
	}
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

void
test_env_fini(void)
{
	test_env_reset();
	while (sw.n_workers > 0)
		dp_worker_destroy(sw.workers[--sw.n_workers]);
	nf_registry_fini();
	tenants_fini();
	fwd_fini();
	mem_chans_fini();
	free(sw.slot_stats);
	if (nf_listen_fd >= 0) {
		close(nf_listen_fd);
		unlink(nf_addr.sun_path);
		nf_listen_fd = -1;
	}
}

int
test_cmd(char *reply, size_t size, const char *line)
{
	const char *argv[MYR_CMD_ARGS_MAX];
	char buf[MYR_CMD_MAX], *tok, *save = NULL;
	struct out o = { 0 };
	int argc = 0, ret;

	snprintf(buf, sizeof(buf), "%s", line);
	for (tok = strtok_r(buf, " ", &save); tok != NULL && argc < MYR_CMD_ARGS_MAX;
	     tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	ctl_err_clear();
	ret = cmd_run(argc, argv, &o);
	if (reply != NULL)
		snprintf(reply, size, "%.*s", ret < 0 ? (int)strlen(ctl_errmsg()) : (int)o.len,
			 ret < 0 ? ctl_errmsg() : (o.buf != NULL ? o.buf : ""));
	free(o.buf);
	return ret;
}

/*
 * The NF's process is a child that only waits, connected to the switch as an NF started
 * by hand would be (the switch watches it by the pidfd of that connection's peer). The
 * switch may signal it (it kills an NF that does not leave): it must never be this test.
 * Reaped by test_env_reset().
 */

struct nf *
test_attach(const char *name)
{
	struct nf *nf = nf_lookup(name);
	struct myr_welcome w;
	int fds[MYR_FDS_MAX];
	unsigned int n_fds = 0;
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	struct conn *c;
	pid_t child;
	int fd, ret;

	if (nf == NULL)
		return NULL;
	if (nf_listen_fd < 0) {
		snprintf(nf_addr.sun_path, sizeof(nf_addr.sun_path), "/tmp/myr-test-env.%d.sock",
			 (int)getpid());
		unlink(nf_addr.sun_path);
		nf_listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (nf_listen_fd < 0 ||
		    bind(nf_listen_fd, (struct sockaddr *)&nf_addr, sizeof(nf_addr)) < 0 ||
		    listen(nf_listen_fd, 16) < 0)
			abort();
	}
	child = fork();
	if (child < 0)
		return NULL;
	if (child == 0) {
		int s = socket(AF_UNIX, SOCK_STREAM, 0);

		prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the test */

		if (s < 0 || connect(s, (struct sockaddr *)&nf_addr, sizeof(nf_addr)) < 0)
			_exit(1);
		pause();
		_exit(0);
	}
	fd = accept4(nf_listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0 ||
	    (c = conn_create(fd, &cred, true, NULL)) == NULL) {
		if (fd >= 0)
			close(fd);
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		return NULL;
	}
	ret = nf_attach(nf, c, child, nf->kind, &w, fds, &n_fds);
	while (n_fds > 0) /* the welcome's (as after conn.c sent it) */
		close(fds[--n_fds]);
	if (ret < 0) {
		conn_close(c);
		conn_reap();
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		return NULL;
	}
	return nf;
}

/* The NF's side of a slot's rings, the way the NF runtime moves its indexes. */
unsigned int
test_nf_take(uint32_t slot, void **objs, unsigned int n)
{
	struct myr_ring *r = sw.to_nf[slot];
	unsigned int i, avail = r->prod - r->cons;

	if (n > avail)
		n = avail;
	for (i = 0; i < n; i++)
		objs[i] = (void *)(uintptr_t)r->e[(r->cons + i) & (sw.conf.ring_size - 1)];
	r->cons += n;
	return n;
}

unsigned int
test_nf_give(uint32_t slot, void *const *objs, unsigned int n)
{
	struct myr_ring *r = sw.from_nf[slot];
	unsigned int i, room = sw.conf.ring_size - (r->prod - r->cons);

	if (n > room)
		n = room;
	for (i = 0; i < n; i++)
		r->e[(r->prod + i) & (sw.conf.ring_size - 1)] = (uintptr_t)objs[i];
	r->prod += n;
	return n;
}

unsigned int
test_ring_count(const struct myr_ring *r)
{
	return r->prod - r->cons;
}

/* An eBPF relocatable object: a null section, the code (in section sec), the names. */
size_t
test_bpf_elf(uint8_t *buf, const struct ebpf_insn *ins, unsigned int n, const char *sec)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	Elf64_Shdr *sh;
	char names[64];
	size_t code = sizeof(*eh), nl, strs, shoff;

	nl = (size_t)snprintf(names, sizeof(names), "%c%s%c.shstrtab", 0, sec, 0) + 1;
	memset(buf, 0, sizeof(*eh));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_REL;
	eh->e_machine = 247; /* EM_BPF */
	eh->e_version = EV_CURRENT;
	eh->e_ehsize = sizeof(*eh);
	eh->e_shentsize = sizeof(Elf64_Shdr);
	eh->e_shnum = 3;
	eh->e_shstrndx = 2;
	memcpy(buf + code, ins, n * sizeof(*ins));
	strs = code + n * sizeof(*ins);
	memcpy(buf + strs, names, nl);
	shoff = RTE_ALIGN_CEIL(strs + nl, 8);
	eh->e_shoff = shoff;
	sh = (Elf64_Shdr *)(buf + shoff);
	memset(sh, 0, 3 * sizeof(*sh));
	sh[1] = (Elf64_Shdr){ .sh_name = 1,
			      .sh_type = SHT_PROGBITS,
			      .sh_flags = SHF_ALLOC | SHF_EXECINSTR,
			      .sh_offset = code,
			      .sh_size = n * sizeof(*ins),
			      .sh_addralign = 8 };
	sh[2] = (Elf64_Shdr){ .sh_name = (uint32_t)(strlen(sec) + 2),
			      .sh_type = SHT_STRTAB,
			      .sh_offset = strs,
			      .sh_size = nl,
			      .sh_addralign = 1 };
	return shoff + 3 * sizeof(*sh);
}
