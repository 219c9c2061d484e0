/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * myriad-gen: sends test frames and receives, checks and times what comes back.
 * Two ways to reach the device under test:
 * - the virtual wire: a DPDK secondary of myriad-switch that enqueues into one wire
 *   port's rings and dequeues from another's (or any primary's named rings and pool);
 * - --eth: a DPDK primary of its own that drives ethdev ports (a NIC, or any vdev),
 *   for a switch on another machine or behind a veth pair.
 *
 * One thread runs one loop (no EAL worker lcores): build and send, receive and
 * inspect what waits, repeat. At full speed it never sleeps and a turn sends one
 * burst; with --rate a token bucket on the TSC decides how many frames each turn
 * sends, and every turn ends in a sleep (idle_pause_ns()) that gives the core back to
 * the NFs it may share it with.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_mempool.h>
#include <rte_prefetch.h>
#include <rte_ring.h>

#include <myriad/wire.h>

#include "pkt.h"

#define PROG "myriad-gen"
/* pause of an idle paced loop (run()); the timer slack is set to match */
#define IDLE_SLEEP_NS 20000
/* ... and its longest pause when the switch stamps what it sends (see run()) */
#define IDLE_SLEEP_MAX_NS 1000000
/* frames in one --sizes cycle: weights add up to at most this */
#define MAX_SIZES        256
#define MAX_BURST        512        /* half a wire ring (1024 slots): one burst never fills it */
#define MAX_FLOWS        65536      /* flow state is 56 B each: 3.5 MB at most */
#define ETH_POOL_SIZE    16383      /* --eth: our own pool ... */
#define ETH_POOL_CACHE   256        /* ... used by our one lcore only */
#define ETH_DESC         1024       /* --eth: descriptors per queue */
#define MAX_CYCLE        (1u << 20) /* weighted destination cycle, 4 MB at most */
#define SINK_FLOWS       4096       /* flow table of a sink that was given no --dst-macs */
#define MAX_SRC_MACS     64         /* distinct source MACs counted one by one */
#define MAX_FLOWS_LISTED 256        /* larger flow lists are left out of the JSON */
#define STALL_SEC        5          /* give up when nothing moves for this long while sending */
#define BUCKET_US        1000       /* --rate may catch up on up to 1 ms of missed sending */
#define PACE_US          100        /* --pace-us: default shortest sleep between paced turns */
#define RX_TURN_MAX      1024       /* frames one turn receives at most (a default wire ring) */

struct options {
	unsigned int tx_port;
	unsigned int rx_port;
	bool tx;
	bool rx;
	uint64_t *dsts; /* destination MACs; flow id = index */
	uint32_t n_dsts;
	uint32_t *dst_weights; /* --dst-macs M=W: relative share of each; NULL: all equal */
	bool random;           /* --pattern random: each frame draws its flow */
	uint64_t seed;
	uint64_t src;
	uint32_t size;
	uint32_t truncate; /* 0, or cut every frame to this many bytes (bad-input tests) */
	bool lossless;     /* --rate: wait for ring room instead of counting tx_full */
	uint32_t n_sizes;  /* --sizes: frame sizes in sending order (a weighted cycle) */
	uint16_t sizes[MAX_SIZES];
	char sizes_arg[128];
	double rate;     /* packets per second, 0 = as fast as the ring takes them */
	double duration; /* seconds, 0 = no limit */
	uint64_t count;  /* packets to send (or, sink only, to receive), 0 = no limit */
	uint64_t drain_ms;
	uint32_t burst;
	uint32_t pace_ns; /* --rate: shortest sleep between turns */
	bool json;
	bool quiet;
	int rt_priority; /* SCHED_FIFO priority of the loop with --rate, 0 = not real-time */
	/* attach to another primary's objects instead of the switch's wire port rings */
	const char *pool_name;
	const char *tx_ring_name;
	const char *rx_ring_name;
	const char *pool_ops;
	/* --eth: ethdev ports of our own primary, instead of the wire */
	bool eth;
	uint16_t eth_tx;
	uint16_t eth_rx;
};

struct src_count {
	uint64_t mac;
	uint64_t n;
};

enum stop_reason {
	STOP_NONE,
	STOP_COUNT,
	STOP_DURATION,
	STOP_SIGNAL,
	STOP_STALL,
	STOP_PRIMARY_GONE,
};

static const char *const stop_names[] = {
	[STOP_NONE] = "none",     [STOP_COUNT] = "count", [STOP_DURATION] = "duration",
	[STOP_SIGNAL] = "signal", [STOP_STALL] = "stall", [STOP_PRIMARY_GONE] = "primary_gone",
};

struct gen {
	struct options opt;
	struct rte_mempool *pool;
	struct rte_ring *tx_ring; /* the switch's RX ring of --tx-port: we enqueue */
	struct rte_ring *rx_ring; /* the switch's TX ring of --rx-port: we dequeue */
	uint8_t (*dst_bytes)[6];
	uint8_t src_bytes[6];

	/* sender: flows are drawn from a cycle of flow ids (each flow as often as its
	 * weight), in order or, with --pattern random, at random */
	uint32_t *cycle;
	uint32_t cycle_len;
	uint32_t cycle_pos;
	uint64_t rng;
	uint32_t next_size; /* position in the --sizes cycle */
	double tokens;
	double tokens_per_cycle;
	double bucket; /* token bucket depth, packets */
	uint64_t last_fill;
	uint64_t tx_packets;
	uint64_t tx_full;   /* built but the ring was full: freed */
	uint64_t tx_nombuf; /* due by --rate but the pool was empty */

	/* sink */
	uint64_t rx_packets;
	uint64_t rx_bytes;
	uint64_t rx_foreign;      /* not a myriad-gen frame */
	uint64_t rx_flow_unknown; /* a myriad-gen frame with a flow id beyond the table */
	struct flow *flows;
	uint32_t n_flows;
	struct src_count srcs[MAX_SRC_MACS];
	uint32_t n_srcs;
	uint32_t last_src;
	uint64_t src_other;      /* frames from source MACs beyond the first MAX_SRC_MACS */
	struct hist *lat;        /* TSC cycles from build to the switch's stamp (or receive) */
	int wire_tsc_off;        /* mbuf dynfield MYR_WIRE_TSC_FIELD, or < 0: none */
	double idle_ns;          /* draining: the next idle pause (backs off while idle) */
	uint16_t eth_started[2]; /* --eth: ports to stop at exit */
	uint32_t n_eth_started;

	/* time, in TSC cycles */
	uint64_t hz;
	uint64_t start;
	uint64_t tx_end;
	uint64_t first_rx;
	uint64_t last_rx;
	uint64_t last_progress;
	uint64_t busy;   /* cycles of loop turns that moved at least one packet */
	uint64_t sleeps; /* ... and the sleeps between turns */
	enum stop_reason stopped_by;

	/* per-second report: values at the previous tick */
	uint64_t tick_tsc;
	uint64_t tick_tx;
	uint64_t tick_rx;
	uint64_t tick_rx_bytes;
	struct hist *tick_lat;
};

static volatile sig_atomic_t n_signals;

static void
on_signal(int sig)
{
	(void)sig;
	n_signals++;
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " EAL-OPTIONS -- [options]\n"
		"  EAL: --file-prefix PREFIX --proc-type=secondary --no-pci -l CORE\n"
		"       (--eth: a primary: e.g. --in-memory --no-pci --vdev DEV -l CORE)\n"
		"  --tx-port N            wire port to send into (default 0)\n"
		"  --rx-port N            wire port to receive from (default 0)\n"
		"  --no-tx | --no-rx      sink only | source only\n"
		"  --dst-macs M[=W][,...] destination MACs, one flow each; W: relative weight\n"
		"                         (default 1): M=3 gets three frames for one of M=1\n"
		"  --dst-mac-range M,N    destinations M, M+1, ..., M+N-1\n"
		"  --pattern rr|random    rr (default): consecutive frames go to different\n"
		"                         destinations, in a fixed weighted cycle; random: each\n"
		"                         frame draws its destination with those weights\n"
		"  --seed N               seed of --pattern random (default 1)\n"
		"  --src-mac M            source MAC (default 02:00:00:00:ff:ff)\n"
		"  --size BYTES           frame length without CRC, %u..%u (default %u)\n"
		"  --truncate BYTES       send runts: cut every frame to 1..59 bytes\n"
		"  --lossless             with --rate: when the ring is full, wait (tests)\n"
		"  --sizes S:W[,S:W...]   mixed frame sizes with weights; --imix = "
		"64:7,576:4,1500:1\n"
		"  --rate PPS             packets per second, 0 = as fast as possible (default)\n"
		"  --duration SEC         stop sending after SEC seconds\n"
		"  --count N              stop after N packets (sent + ring full); sink only:\n"
		"                         after N received, or %us of silence after the first\n"
		"  --drain MS             after sending, receive until every frame sent is\n"
		"                         back or MS ms of silence (500)\n"
		"  --burst N              packets per burst, 1..%u (default 32)\n"
		"  --pace-us US           with --rate: sleep at least US microseconds between\n"
		"                         turns, each sending every frame then due, in bursts\n"
		"                         (default %u; 0: no floor). A sleep costs the core\n"
		"                         20-30 us in a VM, taken from the NFs beside us\n"
		"  --json                 print the summary as one JSON object\n"
		"  --quiet                no per-second lines on stderr\n"
		"  --rt-priority N        with --rate: run as SCHED_FIFO N (1..99), like a\n"
		"                         hardware tester, which offers its load on time\n"
		"                         whatever else runs on its core; it still sleeps\n"
		"                         between bursts, and its cycles are still counted\n"
		"  --pool NAME            packet pool to use (default " MYR_POOL_NAME ")\n"
		"  --tx-ring NAME         ring to send into, instead of --tx-port's\n"
		"  --rx-ring NAME         ring to receive from, instead of --rx-port's\n"
		"                         (these three attach to any primary, e.g. dpdk-testpmd\n"
		"                         with net_ring ports: mb_pool_0, ETH_RXTX0_net_ring0)\n"
		"  --pool-ops NAME        the mempool ops the --pool's primary created it with\n"
		"                         (default ring_mp_mc, DPDK's default for packet pools)\n"
		"  --eth P[,Q]            run as a DPDK primary and send on ethdev port P,\n"
		"                         receive on Q (default P): a NIC (EAL -a PCI) or a vdev\n",
		PKT_MIN_SIZE, PKT_MAX_SIZE, PKT_MIN_SIZE, STALL_SEC, MAX_BURST, PACE_US);
}

static int
bad_option(const char *name, const char *value, const char *why)
{
	fprintf(stderr, PROG ": bad --%s '%s': %s\n", name, value, why);
	return -EINVAL;
}

static int
parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int
parse_double(const char *s, double min, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v >= min) || v > 1e12)
		return -EINVAL;
	*out = v;
	return 0;
}

static int
set_dsts(struct options *o, uint32_t n)
{
	free(o->dsts);
	free(o->dst_weights);
	o->dst_weights = NULL;
	o->dsts = calloc(n, sizeof(*o->dsts));
	if (o->dsts == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		return -ENOMEM;
	}
	o->n_dsts = n;
	return 0;
}

/*
 * "64:7,576:4,1500:1" -> a cycle of frame sizes with those weights, interleaved so that
 * the mix holds over any short window, not only over a whole cycle.
 */
static int
parse_sizes(struct options *o, const char *arg)
{
	uint32_t size[16], weight[16], idx[MAX_SIZES], n = 0, total, k;
	const char *p = arg;

	while (*p != '\0') {
		char *end;
		unsigned long sz = strtoul(p, &end, 10), w;

		if (end == p || *end != ':' || n == 16 || sz < PKT_MIN_SIZE || sz > PKT_MAX_SIZE)
			return -EINVAL;
		p = end + 1;
		w = strtoul(p, &end, 10);
		if (end == p || w == 0 || w > MAX_SIZES || (*end != ',' && *end != '\0'))
			return -EINVAL;
		size[n] = sz;
		weight[n++] = w;
		p = *end == ',' ? end + 1 : end;
	}
	total = pkt_weighted_cycle(weight, n, idx, MAX_SIZES);
	if (total == 0)
		return -EINVAL;
	for (k = 0; k < total; k++)
		o->sizes[k] = size[idx[k]];
	o->n_sizes = total;
	snprintf(o->sizes_arg, sizeof(o->sizes_arg), "%s", arg);
	for (k = 0; k < n; k++)
		if (size[k] > o->size)
			o->size = size[k]; /* the largest must fit the pool's buffers */
	return 0;
}

/* "M[=W],M[=W],...": MACs, each with an optional weight (default 1) */
static int
parse_dst_macs(struct options *o, const char *arg)
{
	uint32_t n = 1, i = 0;
	const char *p;
	char *copy, *tok, *save = NULL;
	int ret = 0;

	for (p = arg; *p != '\0'; p++)
		n += *p == ',';
	if (n > MAX_FLOWS)
		return bad_option("dst-macs", arg, "too many MACs");
	ret = set_dsts(o, n);
	if (ret < 0)
		return ret;
	copy = strdup(arg);
	if (copy == NULL)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok != NULL && ret == 0;
	     tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		uint64_t w = 1;

		if (eq != NULL) {
			*eq = '\0';
			if (parse_u64(eq + 1, 1, MAX_CYCLE, &w) < 0) {
				ret = bad_option("dst-macs", eq + 1, "a weight is 1..1048576");
				break;
			}
			if (o->dst_weights == NULL) {
				o->dst_weights = calloc(n, sizeof(*o->dst_weights));
				if (o->dst_weights == NULL) {
					ret = -ENOMEM;
					break;
				}
				for (uint32_t j = 0; j < i; j++)
					o->dst_weights[j] = 1;
			}
		}
		if (o->dst_weights != NULL)
			o->dst_weights[i] = (uint32_t)w;
		if (mac_parse(tok, &o->dsts[i]) < 0)
			ret = bad_option("dst-macs", tok, "expected a MAC like 02:00:00:00:00:01");
		i++;
	}
	free(copy);
	if (ret == 0 && i != n)
		ret = bad_option("dst-macs", arg, "empty entry");
	return ret;
}

static int
parse_dst_range(struct options *o, const char *arg)
{
	char mac[32];
	const char *comma = strchr(arg, ',');
	uint64_t base, n, i;
	int ret;

	if (comma == NULL || (size_t)(comma - arg) >= sizeof(mac))
		return bad_option("dst-mac-range", arg, "expected BASE,COUNT");
	memcpy(mac, arg, comma - arg);
	mac[comma - arg] = '\0';
	if (mac_parse(mac, &base) < 0)
		return bad_option("dst-mac-range", mac, "expected a MAC like 02:00:00:00:00:01");
	if (parse_u64(comma + 1, 1, MAX_FLOWS, &n) < 0)
		return bad_option("dst-mac-range", comma + 1, "COUNT must be 1..65536");
	if (base + n - 1 > 0xffffffffffffULL)
		return bad_option("dst-mac-range", arg, "range passes ff:ff:ff:ff:ff:ff");
	ret = set_dsts(o, (uint32_t)n);
	if (ret < 0)
		return ret;
	for (i = 0; i < n; i++)
		o->dsts[i] = base + i;
	return 0;
}

enum {
	OPT_TX_PORT = 256,
	OPT_RX_PORT,
	OPT_NO_TX,
	OPT_NO_RX,
	OPT_DST_MACS,
	OPT_DST_RANGE,
	OPT_PATTERN,
	OPT_SEED,
	OPT_SRC_MAC,
	OPT_SIZE,
	OPT_TRUNCATE,
	OPT_LOSSLESS,
	OPT_SIZES,
	OPT_RATE,
	OPT_DURATION,
	OPT_COUNT,
	OPT_DRAIN,
	OPT_BURST,
	OPT_PACE,
	OPT_JSON,
	OPT_QUIET,
	OPT_RT_PRIORITY,
	OPT_POOL,
	OPT_TX_RING,
	OPT_RX_RING,
	OPT_POOL_OPS,
	OPT_ETH,
	OPT_HELP,
};

static const struct option long_options[] = {
	{ "tx-port", required_argument, NULL, OPT_TX_PORT },
	{ "rx-port", required_argument, NULL, OPT_RX_PORT },
	{ "no-tx", no_argument, NULL, OPT_NO_TX },
	{ "no-rx", no_argument, NULL, OPT_NO_RX },
	{ "dst-macs", required_argument, NULL, OPT_DST_MACS },
	{ "dst-mac-range", required_argument, NULL, OPT_DST_RANGE },
	{ "pattern", required_argument, NULL, OPT_PATTERN },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "src-mac", required_argument, NULL, OPT_SRC_MAC },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "truncate", required_argument, NULL, OPT_TRUNCATE },
	{ "lossless", no_argument, NULL, OPT_LOSSLESS },
	{ "sizes", required_argument, NULL, OPT_SIZES },
	{ "imix", no_argument, NULL, OPT_SIZES },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "drain", required_argument, NULL, OPT_DRAIN },
	{ "burst", required_argument, NULL, OPT_BURST },
	{ "pace-us", required_argument, NULL, OPT_PACE },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "rt-priority", required_argument, NULL, OPT_RT_PRIORITY },
	{ "eth", required_argument, NULL, OPT_ETH },
	{ "pool", required_argument, NULL, OPT_POOL },
	{ "tx-ring", required_argument, NULL, OPT_TX_RING },
	{ "rx-ring", required_argument, NULL, OPT_RX_RING },
	{ "pool-ops", required_argument, NULL, OPT_POOL_OPS },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/* Returns 0, 1 when --help was printed, or -EINVAL (the message is printed). */
static int
parse_args(struct options *o, int argc, char **argv)
{
	uint64_t v;
	int opt, ret;

	*o = (struct options){
		.tx = true,
		.rx = true,
		.src = 0x02000000ffffULL,
		.size = PKT_MIN_SIZE,
		.drain_ms = 500,
		.burst = 32,
		.pace_ns = PACE_US * 1000,
		.seed = 1,
		.pool_ops = "ring_mp_mc",
	};
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
		ret = 0;
		switch (opt) {
		case OPT_TX_PORT:
		case OPT_RX_PORT:
			/* The ring lookup reports ports the switch does not have. */
			if (parse_u64(optarg, 0, 1023, &v) < 0)
				return bad_option(opt == OPT_TX_PORT ? "tx-port" : "rx-port",
						  optarg, "expected 0..1023");
			if (opt == OPT_TX_PORT)
				o->tx_port = (unsigned int)v;
			else
				o->rx_port = (unsigned int)v;
			break;
		case OPT_NO_TX:
			o->tx = false;
			break;
		case OPT_NO_RX:
			o->rx = false;
			break;
		case OPT_DST_MACS:
			ret = parse_dst_macs(o, optarg);
			break;
		case OPT_DST_RANGE:
			ret = parse_dst_range(o, optarg);
			break;
		case OPT_PATTERN:
			if (strcmp(optarg, "rr") == 0 || strcmp(optarg, "round-robin") == 0)
				o->random = false;
			else if (strcmp(optarg, "random") == 0)
				o->random = true;
			else
				ret = bad_option("pattern", optarg, "expected rr or random");
			break;
		case OPT_SEED:
			if (parse_u64(optarg, 0, UINT64_MAX, &o->seed) < 0)
				ret = bad_option("seed", optarg, "expected an integer");
			break;
		case OPT_SRC_MAC:
			if (mac_parse(optarg, &o->src) < 0)
				return bad_option("src-mac", optarg, "expected a MAC");
			break;
		case OPT_SIZE:
			if (parse_u64(optarg, PKT_MIN_SIZE, PKT_MAX_SIZE, &v) < 0)
				return bad_option("size", optarg,
						  "frame length without CRC must be 60..1514");
			o->size = (uint32_t)v;
			break;
		case OPT_LOSSLESS:
			o->lossless = true;
			break;
		case OPT_SIZES:
			/* --imix is the classic simple IMIX: 7 x 64, 4 x 576, 1 x 1500 bytes */
			if (parse_sizes(o, optarg != NULL ? optarg : "64:7,576:4,1500:1") < 0)
				return bad_option("sizes", optarg,
						  "expected SIZE:WEIGHT[,...], sizes 60..1514, "
						  "weights adding up to at most 256");
			break;
		case OPT_TRUNCATE:
			if (parse_u64(optarg, 1, PKT_MIN_SIZE - 1, &v) < 0)
				return bad_option("truncate", optarg, "expected 1..59 bytes");
			o->truncate = (uint32_t)v;
			break;
		case OPT_RATE:
			if (parse_double(optarg, 0, &o->rate) < 0)
				return bad_option("rate", optarg, "expected packets/s >= 0");
			break;
		case OPT_DURATION:
			if (parse_double(optarg, 0, &o->duration) < 0 || o->duration == 0)
				return bad_option("duration", optarg, "expected seconds > 0");
			break;
		case OPT_COUNT:
			if (parse_u64(optarg, 1, UINT64_MAX, &o->count) < 0)
				return bad_option("count", optarg, "expected packets > 0");
			break;
		case OPT_DRAIN:
			if (parse_u64(optarg, 0, 3600 * 1000, &o->drain_ms) < 0)
				return bad_option("drain", optarg, "expected milliseconds");
			break;
		case OPT_BURST:
			if (parse_u64(optarg, 1, MAX_BURST, &v) < 0)
				return bad_option("burst", optarg, "expected 1..512");
			o->burst = (uint32_t)v;
			break;
		case OPT_PACE:
			if (parse_u64(optarg, 0, 1000, &v) < 0)
				return bad_option("pace-us", optarg,
						  "expected 0..1000 microseconds");
			o->pace_ns = (uint32_t)v * 1000;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_ETH: {
			char *comma = strchr(optarg, ',');
			uint64_t tx, rx;

			if (comma != NULL)
				*comma = '\0';
			if (parse_u64(optarg, 0, RTE_MAX_ETHPORTS - 1, &tx) < 0 ||
			    (comma != NULL &&
			     parse_u64(comma + 1, 0, RTE_MAX_ETHPORTS - 1, &rx) < 0))
				return bad_option("eth", optarg, "expected PORT[,PORT]");
			o->eth = true;
			o->eth_tx = (uint16_t)tx;
			o->eth_rx = comma != NULL ? (uint16_t)rx : (uint16_t)tx;
			break;
		}
		case OPT_RT_PRIORITY:
			if (parse_u64(optarg, 1, 99, &v) < 0)
				return bad_option("rt-priority", optarg, "expected 1..99");
			o->rt_priority = (int)v;
			break;
		case OPT_QUIET:
			o->quiet = true;
			break;
		case OPT_POOL_OPS:
			o->pool_ops = optarg;
			break;
		case OPT_POOL:
		case OPT_TX_RING:
		case OPT_RX_RING:
			if (*optarg == '\0' || strlen(optarg) >= RTE_RING_NAMESIZE)
				return bad_option(opt == OPT_POOL      ? "pool"
						  : opt == OPT_TX_RING ? "tx-ring"
								       : "rx-ring",
						  optarg, "expected a name of 1..31 characters");
			if (opt == OPT_POOL)
				o->pool_name = optarg;
			else if (opt == OPT_TX_RING)
				o->tx_ring_name = optarg;
			else
				o->rx_ring_name = optarg;
			break;
		case OPT_HELP:
			usage(stdout);
			return 1;
		default:
			fprintf(stderr, PROG ": unknown or incomplete option '%s' (see --help)\n",
				argv[optind - 1]);
			return -EINVAL;
		}
		if (ret < 0)
			return ret;
	}
	if (optind < argc) {
		fprintf(stderr, PROG ": unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	if (!o->tx && !o->rx) {
		fprintf(stderr, PROG ": --no-tx and --no-rx leave nothing to do\n");
		return -EINVAL;
	}
	if (o->eth &&
	    (o->pool_name != NULL || o->tx_ring_name != NULL || o->rx_ring_name != NULL)) {
		fprintf(stderr, PROG ": --eth drives ports and a pool of its own: no --pool, "
				     "--tx-ring or --rx-ring with it\n");
		return -EINVAL;
	}
	if (o->rt_priority != 0 && (o->rate == 0 || !o->tx)) {
		/* as fast as possible never sleeps: real-time, it would starve its core */
		fprintf(stderr, PROG ": --rt-priority needs --rate\n");
		return -EINVAL;
	}
	if (o->tx && o->n_dsts == 0) {
		if (set_dsts(o, 1) < 0)
			return -ENOMEM;
		o->dsts[0] = 0x020000000001ULL;
	}
	return 0;
}

/* The --file-prefix given to EAL, for error messages only. */
static const char *
eal_prefix(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--file-prefix") == 0 && i + 1 < argc)
			return argv[i + 1];
		if (strncmp(argv[i], "--file-prefix=", 14) == 0)
			return argv[i] + 14;
	}
	return "rte";
}

static double
cycles_to_us(const struct gen *g, double cycles)
{
	return cycles * 1e6 / (double)g->hz;
}

static double
rate_of(uint64_t n, uint64_t cycles, uint64_t hz)
{
	return cycles == 0 ? 0 : (double)n * (double)hz / (double)cycles;
}

/* Frames the sender may build now. */
static uint32_t
tx_budget(struct gen *g, uint64_t now)
{
	uint64_t left = UINT64_MAX;
	uint32_t n;

	if (g->opt.rate == 0) {
		/* As fast as possible: the switch's pace is the ring's free space; building
		 * frames that cannot fit would only burn the cycles being measured. We are
		 * the ring's only producer, so its free space can only grow until we enqueue. */
		n = g->opt.eth ? g->opt.burst : rte_ring_free_count(g->tx_ring);
		n = RTE_MIN(n, g->opt.burst);
	} else {
		/* Token bucket: one call gives at most a burst (a paced turn calls until
		 * nothing is due, send_due()); the bucket holds up to
		 * BUCKET_US of traffic so that the average rate survives the loop being
		 * preempted for a while (a one-burst bucket lost 4 % at 2 Mpps on a VM). */
		g->tokens += (double)(now - g->last_fill) * g->tokens_per_cycle;
		g->last_fill = now;
		if (g->tokens > g->bucket)
			g->tokens = g->bucket;
		n = (uint32_t)RTE_MIN(g->tokens, (double)g->opt.burst);
		if (g->opt.lossless && !g->opt.eth) {
			/* only what fits: the rest stays due, sent when the switch drains */
			n = RTE_MIN(n, rte_ring_free_count(g->tx_ring));
		}
		g->tokens -= n;
	}
	if (g->opt.count != 0) {
		left = g->opt.count - (g->tx_packets + g->tx_full + g->tx_nombuf);
		n = (uint32_t)RTE_MIN((uint64_t)n, left);
	}
	if (g->opt.rate != 0 && !g->opt.lossless && !g->opt.eth) {
		/* Paced: frames due that the ring has no room for are refused (tx_full) without
		 * being built. Past the switch's rate that was most of what we built, and
		 * these cycles are taken from the NFs that share our core. The rest of what
		 * is due now is refused with them: the bucket would only carry it to a turn
		 * that finds the ring no emptier, and lose it there uncounted. */
		uint32_t room = rte_ring_free_count(g->tx_ring);

		if (n > room) {
			uint64_t rest = RTE_MIN((uint64_t)g->tokens, left - n);

			g->tokens -= (double)rest;
			g->tx_full += n - room + rest;
			n = room;
		}
	}
	return n;
}

/* Position in the destination cycle of the next frame. */
static inline uint32_t
next_cycle_slot(struct gen *g)
{
	uint32_t pos;

	if (g->opt.random) {
		/* xorshift64*: cheap, and reproducible with --seed */
		g->rng ^= g->rng >> 12;
		g->rng ^= g->rng << 25;
		g->rng ^= g->rng >> 27;
		return (uint32_t)(((g->rng * 0x2545f4914f6cdd1dULL) >> 32) * g->cycle_len >> 32);
	}
	pos = g->cycle_pos;
	if (++g->cycle_pos == g->cycle_len)
		g->cycle_pos = 0;
	return pos;
}

static uint32_t
tx_burst(struct gen *g, uint32_t n, uint64_t now)
{
	struct rte_mbuf *pkts[MAX_BURST];
	uint32_t flows[MAX_BURST];
	uint32_t i, sent, f;

	if (rte_pktmbuf_alloc_bulk(g->pool, pkts, n) != 0) {
		/* In --rate mode these frames were due: count them. Otherwise the empty pool
		 * is back-pressure like a full ring, and we retry on the next turn. */
		if (g->opt.lossless)
			g->tokens += n; /* still due */
		else if (g->opt.rate != 0)
			g->tx_nombuf += n;
		return 0;
	}
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		f = g->cycle[next_cycle_slot(g)];
		flows[i] = f;
		uint32_t size = g->opt.n_sizes != 0 ? g->opt.sizes[g->next_size++ % g->opt.n_sizes]
						    : g->opt.size;

		pkt_build(rte_pktmbuf_mtod(m, void *), size, g->dst_bytes[f], g->src_bytes, f,
			  g->flows[f].tx++, now);
		m->data_len = (uint16_t)(g->opt.truncate ? g->opt.truncate : size);
		m->pkt_len = m->data_len;
	}
	sent = g->opt.eth ? rte_eth_tx_burst(g->opt.eth_tx, 0, pkts, (uint16_t)n)
			  : rte_ring_enqueue_burst(g->tx_ring, (void *const *)pkts, n, NULL);
	if (unlikely(sent < n)) {
		/* Give the unsent frames' sequence numbers back, newest first, so the sink
		 * sees no gap for frames that never left: paced, they are tx_full (due but
		 * refused), not lost; lossless, they stay due; at full speed a port that
		 * refuses is only back-pressure (a wire ring never does: see tx_budget). */
		for (i = n; i > sent; i--)
			g->flows[flows[i - 1]].tx--;
		/* and in a cycle, the next frame goes where the first unsent one would have */
		if (!g->opt.random)
			g->cycle_pos = (g->cycle_pos + g->cycle_len - (n - sent) % g->cycle_len) %
				       g->cycle_len;
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
		if (g->opt.lossless)
			g->tokens += n - sent;
		else if (g->opt.rate != 0 || !g->opt.eth)
			g->tx_full += n - sent;
	}
	g->tx_packets += sent;
	return sent;
}

/*
 * One turn's sending. As fast as possible: a burst, then a look at the sink. Paced:
 * every frame due, in bursts, since the turn is followed by a sleep (run()).
 */
static uint32_t
send_due(struct gen *g, uint64_t now)
{
	uint32_t sent = 0, n, s;

	do {
		n = tx_budget(g, now);
		if (n == 0)
			break;
		s = tx_burst(g, n, now);
		sent += s;
	} while (g->opt.rate != 0 && s == n);
	return sent;
}

static void rx_burst(struct gen *g, struct rte_mbuf **pkts, uint32_t n, uint64_t now);

/* One turn's receiving: bursts until the sink has no full one left, at most a wire
 * ring's worth (the switch may refill it as fast as we drain: sending must go on). */
static uint32_t
receive(struct gen *g, struct rte_mbuf **pkts, uint64_t now)
{
	const struct options *o = &g->opt;
	uint32_t got = 0, n;

	do {
		n = o->eth ? rte_eth_rx_burst(o->eth_rx, 0, pkts, (uint16_t)o->burst)
			   : rte_ring_dequeue_burst(g->rx_ring, (void **)pkts, o->burst, NULL);
		if (n == 0)
			break;
		if (g->rx_packets == 0)
			g->first_rx = now;
		g->last_rx = now;
		rx_burst(g, pkts, n, now);
		got += n;
	} while (n == o->burst && got < RX_TURN_MAX);
	return got;
}

static inline void
count_src(struct gen *g, uint64_t mac)
{
	uint32_t i;

	/* Bursts mostly come from one chain: try the last hit before the table. */
	if (likely(g->n_srcs > 0 && g->srcs[g->last_src].mac == mac)) {
		g->srcs[g->last_src].n++;
		return;
	}
	for (i = 0; i < g->n_srcs; i++) {
		if (g->srcs[i].mac == mac) {
			g->srcs[i].n++;
			g->last_src = i;
			return;
		}
	}
	if (g->n_srcs < MAX_SRC_MACS) {
		g->srcs[g->n_srcs] = (struct src_count){ .mac = mac, .n = 1 };
		g->last_src = g->n_srcs++;
		return;
	}
	g->src_other++;
}

static void
rx_burst(struct gen *g, struct rte_mbuf **pkts, uint32_t n, uint64_t now)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
		struct pkt_hdr h;
		uint64_t w;

		/* The frame is cold (written by the sender, maybe on another core): start
		 * loading the next one while this one is checked. */
		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		g->rx_packets++;
		g->rx_bytes += m->pkt_len;
		if (unlikely(m->data_len < 12)) {
			g->rx_foreign++;
			continue;
		}
		/* Bytes 4..11 in one load: the low 48 bits are the source MAC. */
		memcpy(&w, p + 4, sizeof(w));
		count_src(g, rte_be_to_cpu_64(w) & 0xffffffffffffULL);
		if (unlikely(pkt_parse(p, m->data_len, &h) < 0)) {
			g->rx_foreign++;
			continue;
		}
		uint64_t at = g->wire_tsc_off >= 0
				      ? *RTE_MBUF_DYNFIELD(m, g->wire_tsc_off, uint64_t *)
				      : now;

		hist_add(g->lat, at > h.tsc ? at - h.tsc : 0);
		if (likely(h.flow < g->n_flows)) {
			struct flow *f = &g->flows[h.flow];

			if (f->rx == 0 && g->opt.n_dsts == 0)
				f->mac = mac_from_bytes(p);
			flow_rx(f, h.seq);
		} else {
			g->rx_flow_unknown++;
		}
	}
	rte_pktmbuf_free_bulk(pkts, n);
}

static void
tick(struct gen *g, uint64_t now)
{
	uint64_t dt = now - g->tick_tsc;
	uint64_t rx = g->rx_packets - g->tick_rx;
	uint64_t bytes = g->rx_bytes - g->tick_rx_bytes;

	if (!g->opt.quiet) {
		fprintf(stderr,
			"t=%.0fs tx %.2f Mpps rx %.2f Mpps %.2f Gbps lat p50 %.1fus p99 %.1fus\n",
			(double)(now - g->start) / (double)g->hz,
			rate_of(g->tx_packets - g->tick_tx, dt, g->hz) / 1e6,
			rate_of(rx, dt, g->hz) / 1e6,
			rate_of((bytes + rx * PKT_WIRE_OVERHEAD) * 8, dt, g->hz) / 1e9,
			cycles_to_us(g, hist_quantile(g->lat, g->tick_lat, 0.5)),
			cycles_to_us(g, hist_quantile(g->lat, g->tick_lat, 0.99)));
	}
	g->tick_tsc = now;
	g->tick_tx = g->tx_packets;
	g->tick_rx = g->rx_packets;
	g->tick_rx_bytes = g->rx_bytes;
	*g->tick_lat = *g->lat;
}

static void
stop(struct gen *g, enum stop_reason why)
{
	if (g->stopped_by == STOP_NONE)
		g->stopped_by = why;
}

/* The run loop: send and receive until a stop condition, then drain the sink. */
/*
 * How long a turn sleeps. Without the switch's stamps the sink's polling delay is part
 * of every latency sample: 20 us keeps it well under the NFs' own scheduling delays.
 * With them, only the rings matter. Paced, sleep until the next burst is due, but at
 * least --pace-us, up to 1 ms and never so long that the wire ring (1024) could fill
 * meanwhile at that rate. Draining, back off from 20 us to 1 ms while nothing comes.
 *
 * On a core shared with NFs this matters: each pause is a timer and a context switch
 * each way, exits in a VM: a nanosleep of 20 us took 27 us of its CPU on these
 * guests. At 1.4 Mpps with a burst a sleep (43 K sleeps a second), the generator took
 * 82 % of its core from a soaker beside it (bench/micro/gen_cost.sh), more than
 * building the frames cost. The --pace-us floor makes a turn at that rate send ~140 frames
 * (the switch reads up to 256 a round from a port). A real-time generator polling
 * every 20 us while draining would take the whole core from the NFs that still hold
 * the last packets.
 */
static long
idle_pause_ns(struct gen *g, bool sending)
{
	double ns, cap;

	if (g->wire_tsc_off < 0 || (sending && g->opt.rate == 0))
		return IDLE_SLEEP_NS;
	if (!sending) {
		ns = g->idle_ns;
		g->idle_ns = RTE_MIN(2 * g->idle_ns, (double)IDLE_SLEEP_MAX_NS);
		return (long)ns;
	}
	ns = ((double)g->opt.burst - g->tokens) / g->tokens_per_cycle / (double)g->hz * 1e9;
	cap = RTE_MIN((double)IDLE_SLEEP_MAX_NS, 256.0 / g->opt.rate * 1e9);
	return (long)RTE_MAX((double)IDLE_SLEEP_NS,
			     RTE_MIN(RTE_MAX(ns, (double)g->opt.pace_ns), cap));
}

static void
run(struct gen *g)
{
	struct rte_mbuf *pkts[MAX_BURST];
	const struct options *o = &g->opt;
	uint64_t second = g->hz;
	uint64_t stop_tsc = o->duration > 0 ? (uint64_t)(o->duration * (double)g->hz) : 0;
	uint64_t drain = g->hz * o->drain_ms / 1000;
	/* Bound the drain too: a switch fed by another source never falls silent. */
	uint64_t drain_max = drain + STALL_SEC * g->hz;
	uint64_t stall = STALL_SEC * g->hz;
	bool sending = o->tx;
	bool watch_stall = o->rate == 0 || o->rate >= 1.0 / STALL_SEC;
	uint64_t now;

	g->idle_ns = IDLE_SLEEP_NS;
	g->start = rte_rdtsc();
	if (stop_tsc != 0)
		stop_tsc += g->start;
	g->last_fill = g->start;
	g->last_progress = g->start;
	g->tick_tsc = g->start;
	g->tx_end = g->start;
	for (;;) {
		uint32_t work = 0;

		now = rte_rdtsc();
		if (sending) {
			if (n_signals > 0)
				stop(g, STOP_SIGNAL);
			else if (stop_tsc != 0 && now >= stop_tsc)
				stop(g, STOP_DURATION);
			else if (o->count != 0 &&
				 g->tx_packets + g->tx_full + g->tx_nombuf >= o->count)
				stop(g, STOP_COUNT);
			if (g->stopped_by != STOP_NONE) {
				sending = false;
				g->tx_end = now;
				if (!o->rx)
					break;
				n_signals = 0; /* a second signal now ends the drain */
			} else {
				work += send_due(g, now);
			}
		}
		if (o->rx)
			work += receive(g, pkts, now);
		if (work != 0) {
			g->idle_ns = IDLE_SLEEP_NS;
			g->last_progress = now;
			g->busy += rte_rdtsc() - now;
		}
		if ((o->rate != 0 && sending) || (work == 0 && !sending)) {
			/*
			 * Paced, after every turn (it sent all that was due), or draining
			 * with nothing to do: give the core back. The generator shares a
			 * core with the NFs (or the switch), and a busy wait here would be
			 * taken from them, not from idle time.
			 */
			struct timespec ts = { .tv_nsec = idle_pause_ns(g, sending) };

			nanosleep(&ts, NULL);
			g->sleeps++;
		}
		if (!sending) {
			if (o->tx) {
				/* draining what the switch still holds, until every frame sent
				 * is back (nothing more can come) or the wire fell silent */
				uint64_t quiet_since = RTE_MAX(g->tx_end, g->last_rx);

				if (g->rx_packets - g->rx_foreign >= g->tx_packets ||
				    now - quiet_since >= drain || now - g->tx_end >= drain_max ||
				    n_signals > 0)
					break;
			} else {
				/* sink only: the same limits apply to receiving */
				if (n_signals > 0)
					stop(g, STOP_SIGNAL);
				else if (stop_tsc != 0 && now >= stop_tsc)
					stop(g, STOP_DURATION);
				else if (o->count != 0 && g->rx_packets >= o->count)
					stop(g, STOP_COUNT);
				if (g->stopped_by != STOP_NONE) {
					g->tx_end = now;
					break;
				}
			}
		}
		if (unlikely(now - g->tick_tsc >= second)) {
			tick(g, now);
			/* A secondary keeps its mappings when the primary exits, so nothing
			 * fails: ask whether the primary still holds its config lock. (A
			 * primary of its own, --eth, has no primary to lose: with --in-memory
			 * there is no lock and the question would always say "gone".) */
			if (rte_eal_process_type() == RTE_PROC_SECONDARY &&
			    !rte_eal_primary_proc_alive(NULL)) {
				fprintf(stderr, PROG ": warning: the primary process exited\n");
				stop(g, STOP_PRIMARY_GONE);
				/* Nothing will arrive any more: no drain. */
				if (sending)
					g->tx_end = now;
				break;
			} else if (sending && watch_stall && now - g->last_progress >= stall) {
				fprintf(stderr,
					PROG ": warning: nothing sent or received for %us, "
					     "stopping\n",
					STALL_SEC);
				stop(g, STOP_STALL);
			} else if (!o->tx && o->count != 0 && g->rx_packets != 0 &&
				   now - g->last_progress >= stall) {
				/* A sink waiting for a count that loss made unreachable. */
				fprintf(stderr,
					PROG ": warning: nothing received for %us, "
					     "stopping before --count\n",
					STALL_SEC);
				stop(g, STOP_STALL);
			}
		}
	}
	if (!o->tx)
		g->tx_end = now;
}

static void
print_flows_json(const struct gen *g)
{
	uint32_t i, n_active = 0;
	const char *sep = "";
	char mac[18];

	for (i = 0; i < g->n_flows; i++)
		n_active += g->flows[i].tx != 0 || g->flows[i].rx != 0;
	if (n_active > MAX_FLOWS_LISTED) {
		printf("\"flows\":null");
		return;
	}
	printf("\"flows\":[");
	for (i = 0; i < g->n_flows; i++) {
		const struct flow *f = &g->flows[i];

		if (f->tx == 0 && f->rx == 0)
			continue;
		mac_format(f->mac, mac, sizeof(mac));
		printf("%s{\"flow\":%u,\"dst\":\"%s\",\"tx\":%" PRIu64 ",\"rx\":%" PRIu64
		       ",\"lost\":%" PRIu64 ",\"reordered\":%" PRIu64 ",\"duplicates\":%" PRIu64
		       "}",
		       sep, i, mac, f->tx, f->rx, flow_lost(f), f->reordered, f->dup);
		sep = ",";
	}
	printf("]");
}

static void
print_summary(const struct gen *g)
{
	uint64_t lost = 0, reordered = 0, dup = 0, moved = g->tx_packets + g->rx_packets;
	uint64_t tx_cycles = g->tx_end - g->start;
	/* The sink's window starts with the sender, or at the first frame when sink only. */
	uint64_t rx_from = g->opt.tx ? g->start : g->first_rx;
	uint64_t rx_cycles = g->rx_packets != 0 ? g->last_rx - rx_from : 0;
	double rx_gbps =
		rate_of((g->rx_bytes + g->rx_packets * PKT_WIRE_OVERHEAD) * 8, rx_cycles, g->hz) /
		1e9;
	double cpp = moved ? (double)g->busy / (double)moved : 0;
	double q[4] = { 0.5, 0.9, 0.99, 0.999 };
	double us[4], mean = 0;
	char mac[18];
	const char *sep = "";
	uint32_t i;

	for (i = 0; i < g->n_flows; i++) {
		lost += flow_lost(&g->flows[i]);
		reordered += g->flows[i].reordered;
		dup += g->flows[i].dup;
	}
	for (i = 0; i < 4; i++)
		us[i] = cycles_to_us(g, hist_quantile(g->lat, NULL, q[i]));
	if (g->lat->count != 0)
		mean = cycles_to_us(g, (double)g->lat->sum / (double)g->lat->count);

	if (!g->opt.json) {
		printf("sent      %" PRIu64 " packets in %.3f s (%.3f Mpps), %" PRIu64
		       " ring full, %" PRIu64 " no mbuf\n",
		       g->tx_packets, (double)tx_cycles / (double)g->hz,
		       rate_of(g->tx_packets, tx_cycles, g->hz) / 1e6, g->tx_full, g->tx_nombuf);
		printf("received  %" PRIu64 " packets, %" PRIu64
		       " bytes (%.3f Mpps, %.3f Gbps), %" PRIu64 " foreign\n",
		       g->rx_packets, g->rx_bytes, rate_of(g->rx_packets, rx_cycles, g->hz) / 1e6,
		       rx_gbps, g->rx_foreign);
		printf("flows     %" PRIu64 " lost, %" PRIu64 " reordered, %" PRIu64
		       " duplicates\n",
		       lost, reordered, dup);
		printf("latency   mean %.1f p50 %.1f p90 %.1f p99 %.1f p99.9 %.1f max %.1f us\n",
		       mean, us[0], us[1], us[2], us[3], cycles_to_us(g, (double)g->lat->max));
		printf("src MACs ");
		for (i = 0; i < g->n_srcs; i++) {
			mac_format(g->srcs[i].mac, mac, sizeof(mac));
			printf(" %s=%" PRIu64, mac, g->srcs[i].n);
		}
		printf("\ncost      %.1f cycles per packet; stopped by %s\n", cpp,
		       stop_names[g->stopped_by]);
		return;
	}
	printf("{\"tx_packets\":%" PRIu64 ",\"tx_full\":%" PRIu64 ",\"tx_nombuf\":%" PRIu64
	       ",\"rx_packets\":%" PRIu64 ",\"rx_bytes\":%" PRIu64 ",\"rx_foreign\":%" PRIu64
	       ",\"rx_flow_unknown\":%" PRIu64 ",\"lost\":%" PRIu64 ",\"reordered\":%" PRIu64
	       ",\"duplicates\":%" PRIu64 ",",
	       g->tx_packets, g->tx_full, g->tx_nombuf, g->rx_packets, g->rx_bytes, g->rx_foreign,
	       g->rx_flow_unknown, lost, reordered, dup);
	printf("\"duration_s\":%.6f,\"rx_duration_s\":%.6f,\"tx_mpps\":%.6f,\"rx_mpps\":%.6f,"
	       "\"rx_gbps\":%.6f,\"size\":%u,\"rate\":%.0f,",
	       (double)tx_cycles / (double)g->hz, (double)rx_cycles / (double)g->hz,
	       rate_of(g->tx_packets, tx_cycles, g->hz) / 1e6,
	       rate_of(g->rx_packets, rx_cycles, g->hz) / 1e6, rx_gbps, g->opt.size, g->opt.rate);
	/* mixed sizes: "size" above is the largest; the mix and the mean received size */
	printf("\"sizes\":\"%s\",\"rx_mean_size\":%.1f,", g->opt.sizes_arg,
	       g->rx_packets ? (double)g->rx_bytes / (double)g->rx_packets : 0.0);
	printf("\"latency_at\":\"%s\",", g->wire_tsc_off >= 0 ? "wire" : "sink");
	printf("\"latency_us\":{\"samples\":%" PRIu64 ",\"mean\":%.3f,\"p50\":%.3f,\"p90\":%.3f,"
	       "\"p99\":%.3f,\"p999\":%.3f,\"max\":%.3f},",
	       g->lat->count, mean, us[0], us[1], us[2], us[3],
	       cycles_to_us(g, (double)g->lat->max));
	printf("\"src_macs\":{");
	for (i = 0; i < g->n_srcs; i++) {
		mac_format(g->srcs[i].mac, mac, sizeof(mac));
		printf("%s\"%s\":%" PRIu64, sep, mac, g->srcs[i].n);
		sep = ",";
	}
	printf("},\"src_macs_other\":%" PRIu64 ",\"n_flows\":%u,\"pattern\":\"%s\",", g->src_other,
	       g->n_flows, g->opt.random ? "random" : "rr");
	print_flows_json(g);
	printf(",\"gen_cycles_per_pkt\":%.2f,\"sleeps\":%" PRIu64 ",\"tsc_hz\":%" PRIu64
	       ",\"stopped_by\":\"%s\"}\n",
	       cpp, g->sleeps, g->hz, stop_names[g->stopped_by]);
}

/*
 * A mempool records its ops (the functions behind get and put) as an index into a
 * table that each process fills in the order its libraries register ops. A primary
 * linked differently from us (dpdk-testpmd links every driver; we do not) has another
 * order: testpmd's index 3 is ring_mp_mc, ours is ring_sp_sc, and using it corrupts
 * the pool within a second. Make the pool's index mean, in this process, the ops the
 * primary created it with, by swapping two entries of our own table. Only this
 * process's table changes; nothing in shared memory does.
 */
static int
remap_pool_ops(const struct rte_mempool *mp, const char *name)
{
	struct rte_mempool_ops tmp;
	int32_t want = -1, i;

	for (i = 0; i < (int32_t)rte_mempool_ops_table.num_ops; i++)
		if (strcmp(rte_mempool_ops_table.ops[i].name, name) == 0)
			want = i;
	if (want < 0) {
		fprintf(stderr, PROG ": no mempool ops '%s' in this process\n", name);
		return -EINVAL;
	}
	if (mp->ops_index < 0 || mp->ops_index >= (int32_t)rte_mempool_ops_table.num_ops) {
		fprintf(stderr, PROG ": pool %s has ops index %d beyond our %u ops\n", mp->name,
			mp->ops_index, rte_mempool_ops_table.num_ops);
		return -EINVAL;
	}
	if (want != mp->ops_index) {
		tmp = rte_mempool_ops_table.ops[mp->ops_index];
		rte_mempool_ops_table.ops[mp->ops_index] = rte_mempool_ops_table.ops[want];
		rte_mempool_ops_table.ops[want] = tmp;
	}
	return 0;
}

/* --eth: a pool and ports of our own, as any DPDK primary application. */
static int
setup_eth(struct gen *g)
{
	const struct options *o = &g->opt;
	const uint16_t ports[2] = { o->eth_tx, o->eth_rx };
	struct rte_eth_conf conf = { 0 };
	uint32_t i;
	int ret;

	g->pool = rte_pktmbuf_pool_create("myr_gen_pool", ETH_POOL_SIZE, ETH_POOL_CACHE, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (g->pool == NULL) {
		fprintf(stderr, PROG ": cannot create a packet pool: %s\n",
			rte_strerror(rte_errno));
		return -ENOMEM;
	}
	for (i = 0; i < (o->eth_tx == o->eth_rx ? 1u : 2u); i++) {
		uint16_t p = ports[i];

		if (!rte_eth_dev_is_valid_port(p)) {
			fprintf(stderr,
				PROG ": --eth: no port %u (give the device to EAL: --vdev or -a)\n",
				p);
			return -ENODEV;
		}
		ret = rte_eth_dev_configure(p, 1, 1, &conf);
		if (ret == 0)
			ret = rte_eth_rx_queue_setup(p, 0, ETH_DESC, rte_eth_dev_socket_id(p), NULL,
						     g->pool);
		if (ret == 0)
			ret = rte_eth_tx_queue_setup(p, 0, ETH_DESC, rte_eth_dev_socket_id(p),
						     NULL);
		if (ret == 0)
			ret = rte_eth_dev_start(p);
		if (ret < 0) {
			fprintf(stderr, PROG ": --eth: port %u: %s\n", p, strerror(-ret));
			return ret;
		}
		g->eth_started[g->n_eth_started++] = p;
		/* what comes back is addressed to the tenants' hosts, not to us */
		rte_eth_promiscuous_enable(p);
	}
	return 0;
}

static int
setup_wire(struct gen *g, const char *prefix)
{
	const struct options *o = &g->opt;
	char name[RTE_RING_NAMESIZE];
	const char *pool_name = o->pool_name ? o->pool_name : MYR_POOL_NAME;

	g->pool = rte_mempool_lookup(pool_name);
	if (g->pool == NULL) {
		fprintf(stderr,
			PROG ": no pool %s: is myriad-switch running with "
			     "--file-prefix %s?\n",
			pool_name, prefix);
		return -ENOENT;
	}
	if (o->pool_name != NULL && remap_pool_ops(g->pool, o->pool_ops) < 0)
		return -EINVAL;
	if (o->tx) {
		if (o->tx_ring_name != NULL)
			snprintf(name, sizeof(name), "%s", o->tx_ring_name);
		else
			snprintf(name, sizeof(name), MYR_WIRE_RX_FMT, o->tx_port);
		g->tx_ring = rte_ring_lookup(name);
		if (g->tx_ring == NULL) {
			fprintf(stderr,
				PROG ": no ring %s: is myriad-switch running with "
				     "--file-prefix %s?\n",
				name, prefix);
			return -ENOENT;
		}
	}
	if (o->rx) {
		if (o->rx_ring_name != NULL)
			snprintf(name, sizeof(name), "%s", o->rx_ring_name);
		else
			snprintf(name, sizeof(name), MYR_WIRE_TX_FMT, o->rx_port);
		g->rx_ring = rte_ring_lookup(name);
		if (g->rx_ring == NULL) {
			fprintf(stderr,
				PROG ": no ring %s: is myriad-switch running with "
				     "--file-prefix %s?\n",
				name, prefix);
			return -ENOENT;
		}
	}
	return 0;
}

static int
setup(struct gen *g, const char *prefix)
{
	const struct options *o = &g->opt;
	uint32_t i, room;
	int ret;

	ret = o->eth ? setup_eth(g) : setup_wire(g, prefix);
	if (ret < 0)
		return ret;
	room = rte_pktmbuf_data_room_size(g->pool);
	if (o->tx && room < RTE_PKTMBUF_HEADROOM + o->size) {
		fprintf(stderr, PROG ": --size %u does not fit the pool's %u-byte buffers\n",
			o->size, room - RTE_PKTMBUF_HEADROOM);
		return -EINVAL;
	}
	g->hz = rte_get_tsc_hz();
	/* a switch's wire: it stamps what it sends (another primary, e.g. testpmd: no) */
	g->wire_tsc_off = !o->eth && o->pool_name == NULL && o->rx_ring_name == NULL
				  ? rte_mbuf_dynfield_lookup(MYR_WIRE_TSC_FIELD, NULL)
				  : -1;
	g->tokens_per_cycle = o->rate / (double)g->hz;
	g->bucket = RTE_MAX((double)o->burst, o->rate * BUCKET_US / 1e6);
	g->n_flows = o->n_dsts != 0 ? o->n_dsts : SINK_FLOWS;
	g->flows = calloc(g->n_flows, sizeof(*g->flows));
	g->dst_bytes = calloc(RTE_MAX(o->n_dsts, 1u), sizeof(*g->dst_bytes));
	g->lat = calloc(1, sizeof(*g->lat));
	g->tick_lat = calloc(1, sizeof(*g->tick_lat));
	if (g->flows == NULL || g->dst_bytes == NULL || g->lat == NULL || g->tick_lat == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		return -ENOMEM;
	}
	for (i = 0; i < o->n_dsts; i++) {
		g->flows[i].mac = o->dsts[i];
		mac_to_bytes(o->dsts[i], g->dst_bytes[i]);
	}
	if (o->tx) {
		uint64_t total = o->n_dsts;

		if (o->dst_weights != NULL) {
			total = 0;
			for (i = 0; i < o->n_dsts; i++)
				total += o->dst_weights[i];
		}
		if (total > MAX_CYCLE) {
			fprintf(stderr,
				PROG ": --dst-macs weights add up to %" PRIu64 ", more than %u\n",
				total, MAX_CYCLE);
			return -EINVAL;
		}
		g->cycle = calloc(total, sizeof(*g->cycle));
		if (g->cycle == NULL) {
			fprintf(stderr, PROG ": out of memory\n");
			return -ENOMEM;
		}
		if (o->dst_weights == NULL) {
			for (i = 0; i < o->n_dsts; i++)
				g->cycle[i] = i; /* round-robin: no need to sort */
			g->cycle_len = o->n_dsts;
		} else {
			g->cycle_len =
				pkt_weighted_cycle(o->dst_weights, o->n_dsts, g->cycle, MAX_CYCLE);
		}
		if (g->cycle_len == 0) {
			fprintf(stderr, PROG ": out of memory\n");
			return -ENOMEM;
		}
		g->rng =
			(o->seed * 0x9e3779b97f4a7c15ULL) | 1; /* xorshift needs a non-zero state */
	}
	mac_to_bytes(o->src, g->src_bytes);
	return 0;
}

static void
stop_eth(struct gen *g)
{
	uint32_t i;

	for (i = 0; i < g->n_eth_started; i++) {
		rte_eth_dev_stop(g->eth_started[i]);
		rte_eth_dev_close(g->eth_started[i]);
	}
	g->n_eth_started = 0;
}

int
main(int argc, char **argv)
{
	static struct gen g; /* static: the flow and histogram pointers start NULL */
	char *app_argv[argc + 1];
	int eal_argc = argc, app_argc = 1, i, ret;
	struct sigaction sa = { .sa_handler = on_signal };
	const char *prefix;

	/* Parse our options before EAL so that mistakes fail fast, without a switch. */
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			eal_argc = i;
			break;
		}
	}
	app_argv[0] = argv[0];
	for (i = eal_argc + 1; i < argc; i++)
		app_argv[app_argc++] = argv[i];
	app_argv[app_argc] = NULL;
	ret = parse_args(&g.opt, app_argc, app_argv);
	if (ret != 0)
		return ret > 0 ? 0 : 1;
	prefix = eal_prefix(eal_argc, argv);

	optind = 1; /* EAL parses its options with getopt too */
	/* default slack (50 us) would stretch every idle pause of run() */
	prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	ret = rte_eal_init(eal_argc, argv);
	if (ret < 0) {
		if (g.opt.eth)
			fprintf(stderr, PROG ": EAL init failed: %s\n", rte_strerror(rte_errno));
		else
			fprintf(stderr,
				PROG ": cannot attach as a DPDK secondary: is myriad-switch "
				     "running with --file-prefix %s?\n",
				prefix);
		return 1;
	}
	if (g.opt.eth && rte_eal_process_type() != RTE_PROC_PRIMARY) {
		fprintf(stderr, PROG ": --eth runs its own DPDK primary: drop --proc-type\n");
		rte_eal_cleanup();
		return 1;
	}
	if (!g.opt.eth && rte_eal_process_type() != RTE_PROC_SECONDARY) {
		fprintf(stderr, PROG ": must run with --proc-type=secondary next to myriad-switch "
				     "(or drive a port of its own with --eth)\n");
		rte_eal_cleanup();
		return 1;
	}
	if (setup(&g, prefix) < 0) {
		stop_eth(&g);
		rte_eal_cleanup();
		return 1;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (g.opt.rt_priority != 0) {
		struct sched_param sp = { .sched_priority = g.opt.rt_priority };

		if (sched_setscheduler(0, SCHED_FIFO, &sp) != 0) {
			fprintf(stderr, PROG ": --rt-priority %d: %s\n", g.opt.rt_priority,
				strerror(errno));
			rte_eal_cleanup();
			return 1;
		}
	}
	run(&g);
	print_summary(&g);
	fflush(stdout);

	stop_eth(&g);
	rte_eal_cleanup();
	free(g.flows);
	free(g.dst_bytes);
	free(g.lat);
	free(g.tick_lat);
	free(g.opt.dsts);
	free(g.opt.dst_weights);
	free(g.cycle);
	return 0;
}
