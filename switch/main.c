/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * myriad-switch: the DPDK primary. Creates every shared object (packet pool, NF
 * channels, virtual-wire ports), starts the control thread, and runs the data path
 * on the main lcore until SIGINT/SIGTERM.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf_dyn.h>
#include <rte_memzone.h>
#include <rte_ring.h>

#include <myriad/proto.h>

#include "control/control.h"
#include "switch.h"

struct sw sw;
int sw_logtype_ctl;
int sw_logtype_dp;

const char *const sw_drop_names[SW_DROP_MAX] = {
#define X(id, name, help) [SW_DROP_##id] = name,
	SW_DROP_REASONS(X)
#undef X
};
const char *const sw_drop_help[SW_DROP_MAX] = {
#define X(id, name, help) [SW_DROP_##id] = help,
	SW_DROP_REASONS(X)
#undef X
};

static struct rte_ring *wire_rings[SW_MAX_PORTS][2];

static void
usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [EAL options] -- [options]\n"
		"  --socket PATH       control socket (default %s)\n"
		"  --wire N            virtual-wire ports to create (default 2)\n"
		"  --wire-size N       frames each virtual-wire ring holds, power of two (default "
		"1024)\n"
		"  --max-nfs N         NF slots (default 2048)\n"
		"  --ring-size N       slots per NF ring, power of two (default 512)\n"
		"  --pool-size N       packet buffers (default 65535)\n"
		"  --max-frame BYTES   longest frame accepted (default 1518)\n"
		"  --default-port P    send unknown MACs to port P instead of dropping\n"
		"  --ctl-core CPU      pin the control thread (NFs it spawns inherit it)\n"
		"  --wake-batch N      blocking NFs: wake when N packets wait (default 32)\n"
		"  --wake-timeout US   ... or when the oldest waited US microseconds (default "
		"200)\n"
		"  --wake-budget N     wake-ups per second the NFs' core can take (default "
		"150000);\n"
		"                      with many NFs waiting, timeouts stretch to stay within it\n"
		"Always give EAL --no-pci (or an allow-list) and a --file-prefix of your own.\n",
		prog, MYR_DEFAULT_SOCKET);
}

static int
parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "wire", required_argument, NULL, 'w' },
		{ "wire-size", required_argument, NULL, 'W' },
		{ "max-nfs", required_argument, NULL, 'n' },
		{ "ring-size", required_argument, NULL, 'r' },
		{ "pool-size", required_argument, NULL, 'p' },
		{ "max-frame", required_argument, NULL, 'f' },
		{ "default-port", required_argument, NULL, 'd' },
		{ "ctl-core", required_argument, NULL, 'c' },
		{ "wake-batch", required_argument, NULL, 'b' },
		{ "wake-timeout", required_argument, NULL, 't' },
		{ "wake-budget", required_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int o;

	sw.conf = (struct sw_conf){
		.socket = MYR_DEFAULT_SOCKET,
		.n_wire = 2,
		.wire_size = 1024,
		.max_nfs = 2048,
		.ring_size = 512,
		.pool_size = 65535,
		.max_frame = 1518,
		.default_port = -1,
		.ctl_core = -1,
		.wake_batch = 32,
		.wake_timeout_us = 200,
		.wake_budget = 150000,
	};
	optind = 1;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		char *end = NULL;
		long v = 0;

		if (optarg != NULL && o != 's') {
			errno = 0;
			v = strtol(optarg, &end, 0);
			if (errno != 0 || *end != '\0' || v < 0) {
				fprintf(stderr, "myriad-switch: invalid value '%s'\n", optarg);
				return -EINVAL;
			}
		}
		switch (o) {
		case 's':
			sw.conf.socket = optarg;
			break;
		case 'w':
			sw.conf.n_wire = v;
			break;
		case 'W':
			sw.conf.wire_size = v;
			break;
		case 'n':
			sw.conf.max_nfs = v;
			break;
		case 'r':
			sw.conf.ring_size = v;
			break;
		case 'p':
			sw.conf.pool_size = v;
			break;
		case 'f':
			sw.conf.max_frame = v;
			break;
		case 'd':
			sw.conf.default_port = v;
			break;
		case 'c':
			sw.conf.ctl_core = v;
			break;
		case 'b':
			sw.conf.wake_batch = v;
			break;
		case 't':
			sw.conf.wake_timeout_us = v;
			break;
		case 'B':
			sw.conf.wake_budget = v;
			break;
		default:
			usage(argv[0]);
			return -EINVAL;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "myriad-switch: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	if (sw.conf.max_nfs == 0 || sw.conf.max_nfs > 65535 || sw.conf.n_wire > SW_MAX_PORTS ||
	    sw.conf.ring_size < 64 || !rte_is_power_of_2(sw.conf.ring_size) ||
	    sw.conf.ring_size > 65536 || sw.conf.wire_size < 64 ||
	    !rte_is_power_of_2(sw.conf.wire_size) || sw.conf.wire_size > (1u << 20) ||
	    sw.conf.pool_size < 1024 || sw.conf.max_frame < 60 ||
	    sw.conf.max_frame > RTE_MBUF_DEFAULT_DATAROOM || sw.conf.wake_batch < 1 ||
	    sw.conf.wake_batch > sw.conf.ring_size || sw.conf.wake_timeout_us < 1 ||
	    sw.conf.wake_timeout_us > 10000000 || sw.conf.wake_budget < 1000) {
		fprintf(stderr, "myriad-switch: option out of range (see --help)\n");
		return -EINVAL;
	}
	return 0;
}

static int
chan_init(void)
{
	size_t ring = rte_ring_get_memsize(sw.conf.ring_size);
	size_t chan = RTE_ALIGN_CEIL(sizeof(struct myr_chan) + 2 * ring, RTE_CACHE_LINE_SIZE);
	size_t hdr = RTE_ALIGN_CEIL(sizeof(struct myr_shm), RTE_CACHE_LINE_SIZE);
	uint32_t i;

	/* one memzone for all channels: a memzone per ring would run out at ~1200 NFs */
	sw.chan_mz = rte_memzone_reserve_aligned(MYR_MZ_CHAN, hdr + chan * sw.conf.max_nfs,
						 rte_socket_id(), 0, RTE_CACHE_LINE_SIZE);
	if (sw.chan_mz == NULL) {
		LOG(ERR, "cannot reserve %zu bytes of channels: %s", hdr + chan * sw.conf.max_nfs,
		    rte_strerror(rte_errno));
		return -rte_errno;
	}
	sw.shm = sw.chan_mz->addr;
	memset(sw.shm, 0, sw.chan_mz->len);
	sw.shm->max_nfs = sw.conf.max_nfs;
	sw.shm->ring_size = sw.conf.ring_size;
	sw.shm->chan_size = chan;
	sw.shm->chans_off = hdr;
	for (i = 0; i < sw.conf.max_nfs; i++) {
		struct myr_chan *c = myr_shm_chan(sw.shm, i);

		c->sw.slot = i;
		c->sw.to_nf_off = sizeof(struct myr_chan);
		c->sw.from_nf_off = sizeof(struct myr_chan) + ring;
	}
	sw.shm->version = MYR_SHM_VERSION;
	sw.shm->magic = MYR_SHM_MAGIC;
	sw.slot_stats = rte_zmalloc("slot_stats", sizeof(*sw.slot_stats) * sw.conf.max_nfs,
				    RTE_CACHE_LINE_SIZE);
	return sw.slot_stats != NULL ? 0 : -ENOMEM;
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

/* EAL's argv with --single-file-segments added: NFs map one fd per memory list. */
static char **
eal_argv(int argc, char **argv, int *n)
{
	char **a = calloc(argc + 2, sizeof(*a));
	int i, j = 0;
	bool have = false;

	if (a == NULL)
		return NULL;
	for (i = 0; i < argc && strcmp(argv[i], "--") != 0; i++) {
		have |= strcmp(argv[i], "--single-file-segments") == 0;
		a[j++] = argv[i];
	}
	if (!have)
		a[j++] = (char *)(uintptr_t) "--single-file-segments";
	*n = j;
	return a;
}

int
main(int argc, char **argv)
{
	static const struct rte_mbuf_dynfield owner = {
		.name = "myriad_owner",
		.size = sizeof(uint32_t),
		.align = __alignof__(uint32_t),
	};
	static const struct rte_mbuf_dynfield wire_tsc = {
		.name = MYR_WIRE_TSC_FIELD,
		.size = sizeof(uint64_t),
		.align = __alignof__(uint64_t),
	};
	struct leftovers left;
	char **eargv;
	sigset_t set;
	int eargc, ret, i;

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
	eargv = eal_argv(argc, argv, &eargc);
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

	sw_logtype_ctl =
		rte_log_register_type_and_pick_level("myriad.switch.control", RTE_LOG_INFO);
	sw_logtype_dp =
		rte_log_register_type_and_pick_level("myriad.switch.datapath", RTE_LOG_INFO);
	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		LOG(ERR, "myriad-switch must be a DPDK primary process");
		ret = -EINVAL;
		goto out_eal;
	}
	sw.owner_off = rte_mbuf_dynfield_register(&owner);
	sw.wire_tsc_off = rte_mbuf_dynfield_register(&wire_tsc);
	if (sw.owner_off < 0 || sw.wire_tsc_off < 0) {
		LOG(ERR, "cannot register the mbuf fields: %s", rte_strerror(rte_errno));
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
	ret = chan_init();
	if (ret == 0)
		ret = wire_init();
	if (ret == 0)
		ret = ports_init();
	if (ret == 0)
		ret = registry_init();
	if (ret == 0)
		ret = ctl_start();
	if (ret < 0)
		goto out;
	if (stats_telemetry_init() < 0)
		LOG(WARNING, "telemetry commands not registered");
	LOG(NOTICE, "ready: %u ports, %u NF slots, control socket %s", sw.n_ports, sw.conf.max_nfs,
	    sw.conf.socket);
	ret = dp_main(NULL);
	ctl_join();
out:
	leftovers_collect(&left);
	registry_fini();
	ports_fini();
	rte_free(sw.slot_stats);
	rte_memzone_free(sw.chan_mz);
	rte_mempool_free(sw.pool);
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
