/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * myriad-switch: the DPDK primary. Creates every shared object (packet pool, NF
 * channels, virtual-wire ports), starts the control thread, and runs the data path
 * on the main lcore until SIGINT/SIGTERM.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf_dyn.h>
#include <rte_memzone.h>
#include <rte_ring.h>
#include <rte_version.h>

#include <myriad/proto.h>
#include <myriad/wire.h>

#include "bufs.h"
#include "control/transport.h"
#include "switch.h"

static struct rte_ring *wire_rings[SW_MAX_PORTS][2];

/* The switch's own options; each kind of NF adds its own (struct ctl_transport). */
struct sw_opt {
	const char *name, *arg, *help;
	uint32_t *val; /* NULL: handled by name */
	uint32_t min, max;
};

static const struct sw_opt sw_opts[] = {
	{ "socket", "PATH", "control socket (default " MYR_DEFAULT_SOCKET ")", NULL, 0, 0 },
	{ "wire", "N", "virtual-wire ports to create (default 2)", &sw.conf.n_wire, 0,
	  SW_MAX_PORTS },
	{ "wire-size", "N", "frames each virtual-wire ring holds, power of two (default 1024)",
	  &sw.conf.wire_size, 64, 1u << 20 },
	{ "max-nfs", "N", "NF slots (default 2048)", &sw.conf.max_nfs, 1, 65535 },
	{ "ring-size", "N", "slots per NF ring, power of two (default 512)", &sw.conf.ring_size, 64,
	  65536 },
	{ "pool-size", "N", "the ports' packet buffers (default 65535)", &sw.conf.pool_size, 1024,
	  1u << 24 },
	{ "nf-memory", "isolated|shared",
	  "isolated (default): each tenant's NFs map their tenant's packets and nothing\n"
	  "                      else of the switch (one copy in, one out); shared: NFs map\n"
	  "                      the switch's whole packet memory, no copy, and any NF can\n"
	  "                      read or corrupt any tenant's packets or the switch: only for\n"
	  "                      NFs the operator trusts",
	  NULL, 0, 0 },
	{ "tenant-buffers", "N",
	  "packet buffers of each tenant's pool, rounded up to fill its pages (default 1024)",
	  &sw.conf.tenant_buffers, 64, 1u << 24 },
	{ "max-frame", "BYTES", "longest frame accepted (default 1518)", &sw.conf.max_frame, 60,
	  RTE_MBUF_DEFAULT_DATAROOM },
	{ "default-port", "P", "send unknown MACs to port P instead of dropping", NULL, 0,
	  SW_MAX_PORTS - 1 },
	{ "ctl-core", "CPU", "pin the control thread (NFs it spawns inherit it)", NULL, 0,
	  CPU_SETSIZE - 1 },
	{ "socket-group", "GROUP",
	  "members of GROUP may use the control socket (mode 0660); default: root only", NULL, 0,
	  0 },
	{ "max-conns", "N", "control connections at once, NFs' included (default --max-nfs + 64)",
	  &sw.conf.max_conns, 1, 1u << 20 },
	{ "client-timeout", "MS",
	  "a client that sends half a message, nothing, or reads no reply is cut off (10000)",
	  &conn_timeout_ms, 100, 3600000 },
	{ "nf-uids", "BASE",
	  "spawned NFs run as uid and gid BASE + their tenant's number (default 200000);\n"
	  "                      0: as the switch's own user (NFs then trust each other)",
	  &sw.conf.nf_uid_base, 0, 4000000000u },
	{ "idle-poll", "CPUS",
	  "keep these cores (the NFs') from halting when idle: a lowest-priority thread\n"
	  "                      spins on each, so that a woken NF runs at once, not after\n"
	  "                      its core wakes (in a VM, an exit); they never idle",
	  NULL, 0, 0 },
	{ "nf-start-timeout", "MS", "a spawned NF that has not registered by then is killed (5000)",
	  &proc_start_timeout_ms, 10, 3600000 },
	{ "nf-stop-timeout", "MS", "an NF asked to stop that is still there then is killed (1000)",
	  &proc_stop_timeout_ms, 10, 3600000 },
};

static void
usage_line(const char *name, const char *arg, const char *help)
{
	char opt[64];

	snprintf(opt, sizeof(opt), "--%s %s", name, arg);
	/* a name too long for the column gets a line of its own, as getopt tools do */
	if (strlen(opt) >= 20)
		fprintf(stderr, "  %s\n  %-20s%s\n", opt, "", help);
	else
		fprintf(stderr, "  %-20s%s\n", opt, help);
}

static void
usage(const char *prog)
{
	const struct ctl_transport *const *list;
	unsigned int i, n = ctl_transports(&list);

	fprintf(stderr, "usage: %s [EAL options] -- [options]\n", prog);
	for (i = 0; i < RTE_DIM(sw_opts); i++)
		usage_line(sw_opts[i].name, sw_opts[i].arg, sw_opts[i].help);
	for (i = 0; i < n; i++) {
		const struct ctl_sw_option *o = list[i]->sw_options;

		for (; o != NULL && o->name != NULL; o++)
			usage_line(o->name, o->arg, o->help);
	}
	fprintf(stderr,
		"EAL options: give each switch a --file-prefix of its own. PCI devices are never\n"
		"probed unless named with -a/--allow (the switch adds --no-pci otherwise).\n");
}

static int
parse_u32(const char *name, const char *s, uint32_t min, uint32_t max, uint32_t *v)
{
	unsigned long x;
	char *end;

	errno = 0;
	x = strtoul(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || errno != 0 || *end != '\0' || x < min || x > max) {
		fprintf(stderr, "myriad-switch: --%s: invalid value '%s' (%u..%u)\n", name, s, min,
			max);
		return -EINVAL;
	}
	*v = (uint32_t)x;
	return 0;
}

static int
sw_opt_set(const struct sw_opt *o, const char *val)
{
	uint32_t v;

	if (strcmp(o->name, "socket") == 0) {
		sw.conf.socket = val;
		return 0;
	}
	if (strcmp(o->name, "idle-poll") == 0)
		return sw_idle_parse(val, &sw.conf.idle_cpus);
	if (strcmp(o->name, "socket-group") == 0) {
		sw.conf.socket_group = val;
		return 0;
	}
	if (strcmp(o->name, "nf-memory") == 0) {
		if (strcmp(val, "isolated") != 0 && strcmp(val, "shared") != 0) {
			fprintf(stderr,
				"myriad-switch: --nf-memory: isolated or shared, not '%s'\n", val);
			return -EINVAL;
		}
		sw.conf.shared_memory = strcmp(val, "shared") == 0;
		return 0;
	}
	if (parse_u32(o->name, val, o->min, o->max, o->val != NULL ? o->val : &v) < 0)
		return -EINVAL;
	if (strcmp(o->name, "default-port") == 0)
		sw.conf.default_port = (int)v;
	else if (strcmp(o->name, "ctl-core") == 0)
		sw.conf.ctl_core = (int)v;
	return 0;
}

/* One --name VALUE: the switch's, or a kind's. */
static int
option_set(const char *name, const char *val)
{
	const struct ctl_transport *const *list;
	unsigned int i, n = ctl_transports(&list);

	for (i = 0; i < RTE_DIM(sw_opts); i++)
		if (strcmp(sw_opts[i].name, name) == 0)
			return sw_opt_set(&sw_opts[i], val);
	for (i = 0; i < n; i++) {
		const struct ctl_sw_option *o = list[i]->sw_options;

		for (; o != NULL && o->name != NULL; o++)
			if (strcmp(o->name, name) == 0) {
				if (o->set(val) == 0)
					return 0;
				fprintf(stderr, "myriad-switch: invalid --%s: %s\n", name,
					ctl_errmsg());
				return -EINVAL;
			}
	}
	fprintf(stderr, "myriad-switch: unrecognized option '--%s' (see --help)\n", name);
	return -EINVAL;
}

static int
parse_args(int argc, char **argv)
{
	int i;

	sw.conf = (struct sw_conf){
		.socket = MYR_DEFAULT_SOCKET,
		.n_wire = 2,
		.wire_size = 1024,
		.max_nfs = 2048,
		.ring_size = 512,
		.pool_size = 65535,
		.tenant_buffers = 1024,
		.max_frame = 1518,
		.default_port = -1,
		.ctl_core = -1,
		.nf_uid_base = 200000,
	};
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val;
		char name[64];

		if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
			fprintf(stderr, "myriad-switch: unexpected argument '%s'\n", a);
			return -EINVAL;
		}
		a += 2;
		val = strchr(a, '=');
		if (val != NULL) {
			snprintf(name, sizeof(name), "%.*s", (int)(val - a), a);
			val++;
		} else {
			snprintf(name, sizeof(name), "%s", a);
			if (i + 1 >= argc) {
				fprintf(stderr, "myriad-switch: --%s needs a value\n", name);
				return -EINVAL;
			}
			val = argv[++i];
		}
		if (option_set(name, val) < 0)
			return -EINVAL;
	}
	if (sw.conf.max_conns == 0)
		sw.conf.max_conns = sw.conf.max_nfs + 64;
	if (sw.conf.nf_uid_base != 0 &&
	    sw.conf.nf_uid_base + SW_MAX_TENANTS < sw.conf.nf_uid_base) {
		fprintf(stderr, "myriad-switch: --nf-uids %u: no room for %u tenants\n",
			sw.conf.nf_uid_base, SW_MAX_TENANTS);
		return -EINVAL;
	}
	if (!rte_is_power_of_2(sw.conf.ring_size) || !rte_is_power_of_2(sw.conf.wire_size)) {
		fprintf(stderr, "myriad-switch: invalid --ring-size or --wire-size: a power of "
				"two\n");
		return -EINVAL;
	}
	return 0;
}

static int
chan_init(void)
{
	int ret = mem_chans_init();

	if (ret < 0)
		return ret;
	sw.slot_stats =
		aligned_alloc(RTE_CACHE_LINE_SIZE, sizeof(*sw.slot_stats) * sw.conf.max_nfs);
	if (sw.slot_stats == NULL)
		return -ENOMEM;
	memset(sw.slot_stats, 0, sizeof(*sw.slot_stats) * sw.conf.max_nfs);
	return 0;
}

static int
wire_init(void)
{
	uint32_t i;

	for (i = 0; i < sw.conf.n_wire; i++) {
		char rx[RTE_RING_NAMESIZE], tx[RTE_RING_NAMESIZE], name[32];
		int port;

		snprintf(rx, sizeof(rx), MYR_WIRE_RX_FMT, i);
		snprintf(tx, sizeof(tx), MYR_WIRE_TX_FMT, i);
		snprintf(name, sizeof(name), "wire%u", i);
		wire_rings[i][0] = rte_ring_create(rx, sw.conf.wire_size, rte_socket_id(),
						   RING_F_SP_ENQ | RING_F_SC_DEQ);
		wire_rings[i][1] = rte_ring_create(tx, sw.conf.wire_size, rte_socket_id(),
						   RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (wire_rings[i][0] == NULL || wire_rings[i][1] == NULL) {
			LOG(ERR, "cannot create the rings of %s: %s", name,
			    rte_strerror(rte_errno));
			return -rte_errno;
		}
		port = rte_eth_from_rings(name, &wire_rings[i][0], 1, &wire_rings[i][1], 1,
					  rte_socket_id());
		if (port < 0) {
			LOG(ERR, "cannot create port %s: %s", name, rte_strerror(rte_errno));
			return -rte_errno;
		}
	}
	return 0;
}

static int
ports_init(void)
{
	struct rte_eth_conf conf = { 0 };
	uint16_t pid;
	int ret;

	RTE_ETH_FOREACH_DEV (pid) {
		uint16_t p = sw.n_ports;

		if (p == SW_MAX_PORTS)
			break;
		rte_eth_dev_get_name_by_port(pid, sw.port_names[p]);
		ret = rte_eth_dev_configure(pid, 1, 1, &conf);
		if (ret == 0)
			ret = rte_eth_rx_queue_setup(pid, 0, 1024, rte_eth_dev_socket_id(pid), NULL,
						     sw.pool);
		if (ret == 0)
			ret = rte_eth_tx_queue_setup(pid, 0, 1024, rte_eth_dev_socket_id(pid),
						     NULL);
		if (ret == 0)
			ret = rte_eth_dev_start(pid);
		if (ret < 0) {
			LOG(ERR, "port %s: cannot start: %s", sw.port_names[p], strerror(-ret));
			return ret;
		}
		/* a switch takes frames for its tenants' hosts, whatever the port's own MAC;
		 * ring ports have no filter (and say so: ENOTSUP) */
		rte_eth_promiscuous_enable(pid);
		/* our names ("wire0") when the device is ours, DPDK's otherwise */
		sw.ports[p] = pid;
		sw.n_ports++;
	}
	if (sw.n_ports == 0) {
		LOG(ERR, "no ports: give --wire N or EAL --vdev/--allow");
		return -ENODEV;
	}
	if (sw.conf.default_port >= (int)sw.n_ports) {
		LOG(ERR, "invalid --default-port %d: the switch has %u ports", sw.conf.default_port,
		    sw.n_ports);
		return -ENODEV;
	}
	return 0;
}

/* Each kind's checks and setup, once the options are known. */
static int
transports_init(void)
{
	const struct ctl_transport *const *list;
	unsigned int i, n = ctl_transports(&list);

	for (i = 0; i < n; i++)
		if (list[i]->init != NULL && list[i]->init() < 0) {
			LOG(ERR, "transport %s: %s", myr_transport_name(list[i]->kind),
			    ctl_errmsg());
			return -EINVAL;
		}
	return 0;
}

static int
workers_init(void)
{
	sw.workers[0] = dp_worker_create(0);
	if (sw.workers[0] == NULL) {
		LOG(ERR, "cannot allocate the data path's state");
		return -ENOMEM;
	}
	sw.n_workers = 1;
	return 0;
}

static void
ports_fini(void)
{
	uint16_t i;

	for (i = 0; i < sw.n_ports; i++) {
		rte_eth_dev_stop(sw.ports[i]);
		rte_eth_dev_close(sw.ports[i]);
	}
	for (i = 0; i < SW_MAX_PORTS; i++) {
		rte_ring_free(wire_rings[i][0]);
		rte_ring_free(wire_rings[i][1]);
	}
}

/*
 * EAL leaves its runtime directory and hugepage files behind after
 * rte_eal_cleanup(); a switch that stops cleanly removes both, so that nothing of
 * it outlives it. Paths are collected while the memory is still ours.
 */
struct leftovers {
	char runtime_dir[PATH_MAX];
	unsigned int n_files;
	char files[8][PATH_MAX];
};

static int
leftover_seg(const struct rte_memseg_list *msl, const struct rte_memseg *ms, void *arg)
{
	struct leftovers *l = arg;
	char link[64], path[PATH_MAX];
	unsigned int i;
	ssize_t n;
	int fd;

	(void)msl;
	fd = rte_memseg_get_fd_thread_unsafe(ms);
	if (fd < 0)
		return 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return 0;
	path[n] = '\0';
	for (i = 0; i < l->n_files; i++)
		if (strcmp(l->files[i], path) == 0)
			return 0;
	if (l->n_files < RTE_DIM(l->files))
		strcpy(l->files[l->n_files++], path);
	return 0;
}

static void
leftovers_collect(struct leftovers *l)
{
	memset(l, 0, sizeof(*l));
	snprintf(l->runtime_dir, sizeof(l->runtime_dir), "%s", rte_eal_get_runtime_dir());
	rte_memseg_walk_thread_unsafe(leftover_seg, l);
}

static void
leftovers_remove(const struct leftovers *l)
{
	struct dirent *e;
	unsigned int i;
	DIR *d;

	for (i = 0; i < l->n_files; i++)
		unlink(l->files[i]);
	d = opendir(l->runtime_dir);
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
	rmdir(l->runtime_dir);
}

/* Thousands of NFs hold a connection and a pidfd each: take every fd the system allows. */
static void
fds_raise(void)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		setrlimit(RLIMIT_NOFILE, &r);
	}
}

int
main(int argc, char **argv)
{
	static const struct rte_mbuf_dynfield wire_tsc = {
		.name = MYR_WIRE_TSC_FIELD,
		.size = sizeof(uint64_t),
		.align = __alignof__(uint64_t),
	};
	struct leftovers left;
	char **eargv;
	sigset_t set;
	int eargc, ret, i;

	/* a reader of our output that goes away must not take the switch with it */
	signal(SIGPIPE, SIG_IGN);
	/* block before EAL starts its threads, so that only the control thread's
	 * signalfd ever sees SIGINT/SIGTERM */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(argv[0]);
			return 0;
		}
	fds_raise();
	eargv = sw_eal_args(argc, argv, &eargc);
	if (eargv == NULL)
		return 1;
	ret = rte_eal_init(eargc, eargv);
	if (ret < 0) {
		fprintf(stderr, "myriad-switch: EAL init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	/* switch options follow "--" */
	for (i = 0; i < argc && strcmp(argv[i], "--") != 0; i++)
		;
	argv[i < argc ? i : 0] = argv[0];
	ret = parse_args(i < argc ? argc - i : 1, argv + (i < argc ? i : 0));
	if (ret < 0)
		goto out_eal;

	sw_logtype = rte_log_register_type_and_pick_level("myriad.switch", RTE_LOG_INFO);
	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		LOG(ERR, "myriad-switch must be a DPDK primary process");
		ret = -EINVAL;
		goto out_eal;
	}
	sw.wire_tsc_off = rte_mbuf_dynfield_register(&wire_tsc);
	if (sw.wire_tsc_off < 0) {
		LOG(ERR, "cannot register the mbuf field: %s", rte_strerror(rte_errno));
		ret = -rte_errno;
		goto out_eal;
	}
	/*
	 * No per-lcore cache: NFs never touch the pool, and the traffic source and the
	 * control thread (which frees what a dead NF held) run outside our lcore, where a
	 * cache would be unsafe. Bulk get/put already amortise the ring's atomics.
	 */
	sw.pool = rte_pktmbuf_pool_create(MYR_POOL_NAME, sw.conf.pool_size, 0, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	if (sw.pool == NULL) {
		LOG(ERR, "cannot create the packet pool: %s", rte_strerror(rte_errno));
		ret = -rte_errno;
		goto out_eal;
	}
	ret = bufs_init(sw.pool);
	if (ret == 0 && !sw.conf.shared_memory)
		ret = tp_init();
	if (ret == 0)
		ret = chan_init();
	if (ret == 0)
		ret = wire_init();
	if (ret == 0)
		ret = ports_init();
	if (ret == 0)
		ret = transports_init();
	if (ret == 0)
		ret = nf_registry_init();
	if (ret == 0)
		ret = fwd_init();
	if (ret == 0)
		ret = workers_init();
	if (ret == 0)
		ret = ctl_start();
	if (ret == 0)
		ret = sw_idle_start();
	if (ret < 0)
		goto out;
	if (stats_telemetry_init() < 0)
		LOG(WARNING, "telemetry commands not registered");
	LOG(NOTICE, "ready: %u ports, %u NF slots, control socket %s", sw.n_ports, sw.conf.max_nfs,
	    sw.conf.socket);
	ret = dp_main(sw.workers[0]);
	ctl_join();
out:
	sw_idle_stop();
	leftovers_collect(&left);
	nf_registry_fini();
	tenants_fini();
	fwd_fini();
	while (sw.n_workers > 0)
		dp_worker_destroy(sw.workers[--sw.n_workers]);
	ports_fini();
	free(sw.slot_stats);
	mem_chans_fini();
	tp_fini();
	/* telemetry may still ask (its thread runs until rte_eal_cleanup): not this pool */
	pthread_mutex_lock(&ctl_lock);
	{
		struct rte_mempool *pool = sw.pool;

		sw.pool = NULL;
		pthread_mutex_unlock(&ctl_lock);
		rte_mempool_free(pool);
	}
	bufs_fini();
	rte_eal_cleanup();
	leftovers_remove(&left);
	free(eargv);
	return ret < 0 ? 1 : 0;
out_eal:
	leftovers_collect(&left);
	rte_eal_cleanup();
	leftovers_remove(&left);
	free(eargv);
	return ret < 0 ? 1 : 0;
}
