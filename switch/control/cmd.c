/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The command interpreter behind myriadctl: parses one command's argv, changes the
 * registry, and writes the reply as text for people or JSON for scripts. A command
 * that fails returns -errno with its message recorded (ctl_err). The same counters
 * are registered as DPDK telemetry commands (/myriad/...).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include <rte_ethdev.h>
#include <rte_log.h>
#include <rte_memzone.h>
#include <rte_mempool.h>
#include <rte_telemetry.h>
#include <rte_version.h>

#include <myriad/names.h>

#include "../datapath/transport.h"
#include "transport.h"

/* --- argument helpers --- */

struct args {
	int argc;
	const char **argv;
	int i;
};

/* Value of option "--name" at the cursor, or NULL (*err set if it has none). */
static const char *
opt_value(struct args *a, const char *name, int *err)
{
	if (strcmp(a->argv[a->i], name) != 0)
		return NULL;
	if (a->i + 1 >= a->argc) {
		*err = ctl_err(-EINVAL, "%s needs a value", name);
		return NULL;
	}
	a->i += 2;
	return a->argv[a->i - 1];
}

static int
unknown_option(const struct args *a)
{
	return ctl_err(-EINVAL, "unknown option %s", a->argv[a->i]);
}

/* A decimal number: digits only (no sign, no base prefix), at most max. */
static int
parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	*v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || *v > max)
		return -EINVAL;
	return 0;
}

static int
port_parse(const char *s, uint16_t *port)
{
	unsigned long v;
	uint16_t i;

	if (parse_uint(s, SW_MAX_PORTS - 1, &v) == 0 && v < sw.n_ports) {
		*port = v;
		return 0;
	}
	for (i = 0; i < sw.n_ports; i++)
		if (strcmp(sw.port_names[i], s) == 0) {
			*port = i;
			return 0;
		}
	return -ENODEV;
}

/* A string as a JSON string's contents: quotes, backslashes and controls escaped. */
static void
out_json_str(struct out *o, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			out_printf(o, "\\%c", c);
		else if (c < 0x20)
			out_printf(o, "\\u%04x", c);
		else
			out_printf(o, "%c", c);
	}
}

/* --- tenants --- */

static int
cmd_tenant_add(struct args *a, struct out *o)
{
	uint8_t macs[SW_MAX_MACS][MYR_MAC_ADDR_LEN];
	unsigned int n_macs = 0;
	const char *name, *v, *mac_arg = NULL, *port_arg = NULL;
	char buf[MYR_CMD_MAX], *tok, *save = NULL;
	uint16_t port = 0;
	int err = 0;

	(void)o;
	if (a->i >= a->argc)
		return ctl_err(-EINVAL, "usage: tenant add NAME --mac MAC[,MAC...] [--port P]");
	name = a->argv[a->i++];
	if (!myr_name_valid(name))
		return ctl_err(-EINVAL, "invalid tenant name '%s'", name);
	while (a->i < a->argc) {
		if ((v = opt_value(a, "--mac", &err)) != NULL)
			mac_arg = v;
		else if ((v = opt_value(a, "--port", &err)) != NULL)
			port_arg = v;
		else if (err == 0)
			return unknown_option(a);
		if (err < 0)
			return err;
	}
	if (mac_arg == NULL)
		return ctl_err(-EINVAL, "tenant add: --mac is required");
	if (port_arg != NULL && port_parse(port_arg, &port) < 0)
		return ctl_err(-ENODEV, "no port %s", port_arg);
	snprintf(buf, sizeof(buf), "%s", mac_arg);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n_macs == SW_MAX_MACS)
			return ctl_err(-EINVAL, "more than %d MACs", SW_MAX_MACS);
		if (myr_mac_parse(tok, macs[n_macs]) < 0)
			return ctl_err(-EINVAL, "invalid MAC address '%s'", tok);
		n_macs++;
	}
	return tenant_add(name, (const uint8_t(*)[MYR_MAC_ADDR_LEN])macs, n_macs, port);
}

static int
cmd_tenant_del(struct args *a, struct out *o)
{
	struct tenant *t;

	(void)o;
	if (a->i + 1 != a->argc)
		return ctl_err(-EINVAL, "usage: tenant del NAME");
	t = tenant_lookup(a->argv[a->i]);
	if (t == NULL)
		return ctl_err(-ENOENT, "no tenant %s", a->argv[a->i]);
	return tenant_del(t);
}

static void
tenant_print(struct out *o, const struct tenant *t, bool first)
{
	char mac[MYR_MAC_STR_LEN];
	unsigned int i;

	if (o->json) {
		out_printf(o, "%s{\"name\":\"%s\",\"port\":%u,\"macs\":[", first ? "" : ",",
			   t->name, t->port);
		for (i = 0; i < t->n_macs; i++)
			out_printf(o, "%s\"%s\"", i ? "," : "", myr_mac_format(t->macs[i], mac));
		out_printf(o, "],\"chain\":[");
		for (i = 0; i < t->n_chain; i++)
			out_printf(o, "%s\"%s\"", i ? "," : "", t->chain[i]->name);
		out_printf(o, "]");
		if (t->tpool != NULL)
			out_printf(o,
				   ",\"pool\":{\"size\":%u,\"avail\":%u,\"hugepages\":%s,"
				   "\"empty_drops\":%" PRIu64 "}",
				   t->tpool->n, tp_avail(t->tpool),
				   t->tpool->hugepages ? "true" : "false",
				   sw_read(&t->tpool->empty));
		out_printf(o, "}");
		return;
	}
	out_printf(o, "%-16s port %-8s chain:", t->name, sw.port_names[t->port]);
	for (i = 0; i < t->n_chain; i++)
		out_printf(o, " %s(%s)", t->chain[i]->name, nf_state_names[t->chain[i]->state]);
	out_printf(o, " -> %s  macs:", sw.port_names[t->port]);
	for (i = 0; i < t->n_macs; i++)
		out_printf(o, " %s", myr_mac_format(t->macs[i], mac));
	if (t->tpool != NULL)
		out_printf(o, "  pool: %u of %u free", tp_avail(t->tpool), t->tpool->n);
	out_printf(o, "\n");
}

static int
cmd_tenant_list(struct args *a, struct out *o)
{
	const struct tenant *t;
	bool first = true;

	if (a->i + 1 < a->argc)
		return ctl_err(-EINVAL, "usage: tenant list [NAME]");
	if (a->i < a->argc) {
		t = tenant_lookup(a->argv[a->i]);
		if (t == NULL)
			return ctl_err(-ENOENT, "no tenant %s", a->argv[a->i]);
		tenant_print(o, t, true);
		return 0;
	}
	if (o->json)
		out_printf(o, "[");
	TAILQ_FOREACH (t, &tenants, next) {
		tenant_print(o, t, first);
		first = false;
	}
	if (o->json)
		out_printf(o, "]\n");
	return 0;
}

/* --- NFs --- */

/* --exec's program and arguments, split as myriadctl -f splits a line (quotes too). */
static char **
split_exec(const char *s)
{
	char buf[MYR_CMD_MAX], *words[MYR_CMD_ARGS_MAX];
	char **argv;
	int n, i;

	snprintf(buf, sizeof(buf), "%s", s);
	n = myr_split_words(buf, words, MYR_CMD_ARGS_MAX);
	if (n <= 0)
		return NULL;
	argv = calloc(n + 1, sizeof(*argv));
	if (argv == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if ((argv[i] = strdup(words[i])) == NULL) {
			free_argv(argv);
			return NULL;
		}
	return argv;
}

/*
 * Start an NF's program; unless no_wait, the reply waits until it registered or failed
 * (and an NF that this `nf add` added goes again if it failed: forget).
 */
static int
start(struct nf *nf, bool no_wait, bool forget, struct out *o)
{
	int ret = nf_start(nf);

	if (ret < 0 || no_wait || o->client == NULL)
		return ret;
	proc_wait(nf->proc, o->client, o->seq, forget);
	return CMD_DEFERRED;
}

static int
cmd_nf_add(struct args *a, struct out *o)
{
	const char *name, *v, *tenant = NULL, *exec = NULL;
	const char *bpf = NULL, *section = NULL, *bpf_args = NULL;
	enum myr_transport kind = MYR_T_POLL;
	bool kind_given = false;
	unsigned long pos = ULONG_MAX;
	char **exec_argv = NULL;
	bool no_wait = false;
	struct tenant *t;
	struct nf *nf;
	int err = 0, ret;

	if (a->i >= a->argc)
		return ctl_err(-EINVAL,
			       "usage: nf add NAME --tenant T [--pos N] [--exec 'PROGRAM ARGS' "
			       "[--no-wait]] [--transport %s] | [--bpf FILE.o [--section S] "
			       "[--bpf-args HEX]]",
			       myr_transport_list());
	name = a->argv[a->i++];
	if (!myr_name_valid(name))
		return ctl_err(-EINVAL, "invalid NF name '%s'", name);
	while (a->i < a->argc) {
		if (strcmp(a->argv[a->i], "--no-wait") == 0) {
			no_wait = true;
			a->i++;
			continue;
		}
		if ((v = opt_value(a, "--tenant", &err)) != NULL)
			tenant = v;
		else if ((v = opt_value(a, "--exec", &err)) != NULL)
			exec = v;
		else if ((v = opt_value(a, "--bpf", &err)) != NULL)
			bpf = v;
		else if ((v = opt_value(a, "--section", &err)) != NULL)
			section = v;
		else if ((v = opt_value(a, "--bpf-args", &err)) != NULL)
			bpf_args = v;
		else if ((v = opt_value(a, "--pos", &err)) != NULL) {
			if (parse_uint(v, SW_MAX_CHAIN, &pos) < 0)
				return ctl_err(-EINVAL, "invalid position %s", v);
		} else if ((v = opt_value(a, "--transport", &err)) != NULL) {
			if (myr_transport_parse(v, &kind) < 0 || ctl_transport(kind) == NULL)
				return ctl_err(-EINVAL, "unknown transport %s (have: %s)", v,
					       myr_transport_list());
			kind_given = true;
		} else if (err == 0)
			return unknown_option(a);
		if (err < 0)
			return err;
	}
	if (tenant == NULL)
		return ctl_err(-EINVAL, "nf add: --tenant is required");
	t = tenant_lookup(tenant);
	if (t == NULL)
		return ctl_err(-ENOENT, "no tenant %s", tenant);
	if (pos != ULONG_MAX && pos > t->n_chain)
		return ctl_err(-EINVAL,
			       "position %lu is past the end of tenant %s's chain (%u NFs)", pos,
			       t->name, t->n_chain);
	if (no_wait && exec == NULL)
		return ctl_err(-EINVAL, "--no-wait is for --exec");
	if (bpf != NULL || kind == MYR_T_BPF) {
		/* an in-switch NF: its program instead of a process */
		if (bpf == NULL)
			return ctl_err(-EINVAL, "nf add: an NF of kind bpf needs --bpf FILE.o");
		if (exec != NULL || (kind_given && kind != MYR_T_BPF))
			return ctl_err(-EINVAL, "nf add: --bpf makes an in-switch NF: no --exec "
						"or other --transport");
		return bpf_nf_add(name, t, pos == ULONG_MAX ? -1 : (int)pos, bpf, section,
				  bpf_args);
	}
	if (section != NULL || bpf_args != NULL)
		return ctl_err(-EINVAL, "nf add: --section and --bpf-args are for --bpf");
	if (exec != NULL && (exec_argv = split_exec(exec)) == NULL)
		return ctl_err(-EINVAL, "invalid --exec '%s'", exec);
	ret = nf_add(name, t, pos == ULONG_MAX ? -1 : (int)pos, kind, exec_argv, &nf);
	if (ret < 0) {
		free_argv(exec_argv);
		return ret;
	}
	if (exec_argv != NULL) {
		ret = start(nf, no_wait, true, o);
		if (ret < 0) {
			char msg[512];

			/* the NF goes again; the reason it could not start is the reply */
			snprintf(msg, sizeof(msg), "%s", ctl_errmsg());
			nf_del(nf);
			return ctl_err(ret, "%s", msg);
		}
		return ret;
	}
	return 0;
}

static struct nf *
nf_arg(struct args *a, const char *usage)
{
	struct nf *nf;

	if (a->i + 1 != a->argc) {
		ctl_err(-EINVAL, "usage: %s", usage);
		return NULL;
	}
	nf = nf_lookup(a->argv[a->i]);
	if (nf == NULL)
		ctl_err(-ENOENT, "no NF %s", a->argv[a->i]);
	return nf;
}

static int
cmd_nf_del(struct args *a, struct out *o)
{
	struct nf *nf = nf_arg(a, "nf del NAME");

	(void)o;
	return nf != NULL ? nf_del(nf) : -ENOENT;
}

static int
cmd_nf_start(struct args *a, struct out *o)
{
	bool no_wait = a->i + 2 == a->argc && strcmp(a->argv[a->argc - 1], "--no-wait") == 0;
	struct nf *nf;

	if (no_wait)
		a->argc--;
	nf = nf_arg(a, "nf start NAME [--no-wait]");
	return nf != NULL ? start(nf, no_wait, false, o) : -ENOENT;
}

static int
cmd_nf_set(struct args *a, struct out *o)
{
	struct nf *nf;
	int ret = 0;

	(void)o;
	if (a->i + 2 > a->argc)
		return ctl_err(-EINVAL, "usage: nf set NAME --OPTION VALUE... (see help)");
	nf = nf_lookup(a->argv[a->i]);
	if (nf == NULL)
		return ctl_err(-ENOENT, "no NF %s", a->argv[a->i]);
	for (a->i++; a->i < a->argc && ret == 0; a->i += 2) {
		const char *opt = a->argv[a->i];

		if (strncmp(opt, "--", 2) != 0 || opt[2] == '\0')
			return ctl_err(-EINVAL, "expected an option, not '%s'", opt);
		if (a->i + 1 >= a->argc)
			return ctl_err(-EINVAL, "%s needs a value", opt);
		ret = nf_set(nf, opt + 2, a->argv[a->i + 1]);
	}
	return ret;
}

static void
nf_print(struct out *o, const struct nf *nf, bool first)
{
	const struct dp_transport *dt = dp_transport(nf->kind);
	const struct dp_slot_stats *st = nf->slot >= 0 ? &sw.slot_stats[nf->slot] : NULL;
	uint64_t to = st ? sw_read(&st->to_nf) : 0, from = st ? sw_read(&st->from_nf) : 0;
	uint64_t full = st ? sw_read(&st->ring_full) : 0, vd = st ? sw_read(&st->verdict_drop) : 0;
	uint64_t share = st ? sw_read(&st->over_share) : 0;
	uint64_t bad = st ? sw_read(&st->bad_buffer) : 0;
	uint64_t bad_idx = st ? sw_read(&st->bad_index) : 0;
	pid_t pid = nf->proc != NULL ? nf->proc->pid : 0;
	unsigned int i;

	if (o->json)
		out_printf(o,
			   "%s{\"name\":\"%s\",\"tenant\":\"%s\",\"state\":\"%s\",\"transport\":"
			   "\"%s\",\"slot\":%d,\"pid\":%d,\"starts\":%u,\"to_nf\":%" PRIu64
			   ",\"from_nf\":%" PRIu64 ",\"ring_full\":%" PRIu64
			   ",\"over_share\":%" PRIu64 ",\"verdict_drop\":%" PRIu64
			   ",\"bad_buffers\":%" PRIu64 ",\"bad_indexes\":%" PRIu64,
			   first ? "" : ",", nf->name, nf->tenant ? nf->tenant->name : "",
			   nf_state_names[nf->state], myr_transport_name(nf->kind), nf->slot,
			   (int)pid, nf->n_starts, to, from, full, share, vd, bad, bad_idx);
	else
		out_printf(o,
			   "%-16s %-12s %-8s %-5s slot %-5d pid %-7d in %-10" PRIu64
			   " out %-10" PRIu64 " ring_full %" PRIu64 " over_share %" PRIu64
			   " drop %" PRIu64,
			   nf->name, nf->tenant ? nf->tenant->name : "-", nf_state_names[nf->state],
			   myr_transport_name(nf->kind), nf->slot, (int)pid, to, from, full, share,
			   vd);
	if (!o->json && bad > 0)
		out_printf(o, " BAD_BUFFERS %" PRIu64, bad);
	if (!o->json && bad_idx > 0)
		out_printf(o, " BAD_INDEXES %" PRIu64, bad_idx);
	/* the kind's own counters and settings */
	for (i = 0; dt != NULL && i < DP_SLOT_KIND_COUNTERS; i++) {
		uint64_t v = st ? sw_read(&st->kind[i]) : 0;

		if (dt->slot_counters[i] == NULL)
			continue;
		if (o->json)
			out_printf(o, ",\"%s\":%" PRIu64, dt->slot_counters[i], v);
		else
			out_printf(o, " %s %" PRIu64, dt->slot_counters[i], v);
	}
	if (nf->tr->print != NULL)
		nf->tr->print(nf, o);
	out_printf(o, o->json ? "}" : "\n");
}

static int
cmd_nf_list(struct args *a, struct out *o)
{
	const char *tenant = NULL, *v;
	const struct nf *nf;
	bool first = true;
	int err = 0;

	while (a->i < a->argc) {
		if ((v = opt_value(a, "--tenant", &err)) != NULL)
			tenant = v;
		else if (err == 0)
			return unknown_option(a);
		if (err < 0)
			return err;
	}
	if (o->json)
		out_printf(o, "[");
	TAILQ_FOREACH (nf, &nfs, next) {
		if (nf->removed)
			continue;
		if (tenant != NULL && (nf->tenant == NULL || strcmp(nf->tenant->name, tenant)))
			continue;
		nf_print(o, nf, first);
		first = false;
	}
	if (o->json)
		out_printf(o, "]\n");
	return 0;
}

/* --- ports, statistics, status --- */

static int
cmd_port_list(struct args *a, struct out *o)
{
	uint16_t p;

	if (a->i < a->argc)
		return unknown_option(a);
	if (o->json)
		out_printf(o, "[");
	for (p = 0; p < sw.n_ports; p++) {
		if (o->json)
			out_printf(o, "%s{\"index\":%u,\"name\":\"%s\",\"port_id\":%u}",
				   p ? "," : "", p, sw.port_names[p], sw.ports[p]);
		else
			out_printf(o, "%-3u %-24s dpdk port %u\n", p, sw.port_names[p],
				   sw.ports[p]);
	}
	if (o->json)
		out_printf(o, "]\n");
	return 0;
}

struct totals {
	struct dp_stats dp;
	uint64_t rx, tx, drops, drop[SW_DROP_MAX];
};

static void
totals_get(struct totals *t)
{
	unsigned int i;

	memset(t, 0, sizeof(*t));
	/* drops before rx: a packet in flight may be counted in neither, never twice */
	for (i = 0; i < SW_DROP_MAX; i++)
		t->drop[i] = sw_read(&sw.ctl_drop[i]);
	dp_stats_sum(&t->dp);
	for (i = 0; i < SW_DROP_MAX; i++) {
		t->drop[i] += t->dp.drop[i];
		t->drops += t->drop[i];
	}
	for (i = 0; i < sw.n_ports; i++) {
		t->tx += t->dp.tx[i];
		t->rx += t->dp.rx[i];
	}
}

/* Each kind's own data-path counters, by their names. */
static void
kind_counters_print(struct out *o, const struct dp_stats *dp)
{
	unsigned int k, i;

	for (k = 0; k < MYR_T_MAX; k++) {
		const struct dp_transport *dt = dp_transport(k);

		for (i = 0; dt != NULL && i < DP_KIND_COUNTERS; i++) {
			if (dt->counters[i] == NULL)
				continue;
			if (o->json)
				out_printf(o, ",\"%s\":%" PRIu64, dt->counters[i], dp->kind[k][i]);
			else
				out_printf(o, "datapath: %s %s %" PRIu64 "\n",
					   myr_transport_name(k), dt->counters[i], dp->kind[k][i]);
		}
	}
}

static int
cmd_stats(struct args *a, struct out *o)
{
	struct tp_sum tps;
	struct totals t;
	bool with_nfs = false;
	const struct nf *nf;
	bool first = true;
	unsigned int i;

	while (a->i < a->argc) {
		if (strcmp(a->argv[a->i], "--nfs") != 0)
			return unknown_option(a);
		with_nfs = true;
		a->i++;
	}
	totals_get(&t);
	if (o->json) {
		out_printf(o,
			   "{\"rx\":%" PRIu64 ",\"tx\":%" PRIu64 ",\"dropped\":%" PRIu64
			   ",\"in_flight\":%" PRId64 ",\"drops\":{",
			   t.rx, t.tx, t.drops, (int64_t)(t.rx - t.tx - t.drops));
		for (i = 0; i < SW_DROP_MAX; i++)
			out_printf(o, "%s\"%s\":%" PRIu64, i ? "," : "", sw_drop_names[i],
				   t.drop[i]);
		out_printf(o,
			   "},\"violations\":{\"nf_bad_buffer\":%" PRIu64
			   ",\"nf_bad_index\":%" PRIu64 "},\"ports\":[",
			   t.dp.nf_bad_buffer, t.dp.nf_bad_index);
		for (i = 0; i < sw.n_ports; i++)
			out_printf(o, "%s{\"name\":\"%s\",\"rx\":%" PRIu64 ",\"tx\":%" PRIu64 "}",
				   i ? "," : "", sw.port_names[i], t.dp.rx[i], t.dp.tx[i]);
		tp_sum(&tps);
		out_printf(o,
			   "],\"pool\":{\"size\":%u,\"avail\":%u},\"tenant_pools\":{\"pools\":%u,"
			   "\"size\":%" PRIu64 ",\"avail\":%" PRIu64 "},\"slots_used\":%u,"
			   "\"datapath\":{\"rounds\":%" PRIu64 ",\"busy_rounds\":%" PRIu64
			   ",\"busy_cycles\":%" PRIu64 ",\"hops\":%" PRIu64
			   ",\"cycles_per_hop\":%.1f,\"tsc_hz\":%" PRIu64
			   ",\"active_nfs\":%" PRIu64,
			   sw.pool->size, dp_pool_avail(), tps.pools, tps.size, tps.avail,
			   nf_slots_used(), t.dp.rounds, t.dp.busy_rounds, t.dp.busy_cycles,
			   t.dp.hops, t.dp.hops ? (double)t.dp.busy_cycles / t.dp.hops : 0.0,
			   rte_get_tsc_hz(), t.dp.active_nfs);
		kind_counters_print(o, &t.dp);
		out_printf(o, "}");
		if (with_nfs) {
			out_printf(o, ",\"nfs\":[");
			TAILQ_FOREACH (nf, &nfs, next) {
				if (nf->removed)
					continue;
				nf_print(o, nf, first);
				first = false;
			}
			out_printf(o, "]");
		}
		out_printf(o, "}\n");
		return 0;
	}
	out_printf(o,
		   "packets: rx %" PRIu64 "  tx %" PRIu64 "  dropped %" PRIu64
		   "  in flight %" PRId64 "\n",
		   t.rx, t.tx, t.drops, (int64_t)(t.rx - t.tx - t.drops));
	for (i = 0; i < sw.n_ports; i++)
		out_printf(o, "port %-20s rx %-12" PRIu64 " tx %" PRIu64 "\n", sw.port_names[i],
			   t.dp.rx[i], t.dp.tx[i]);
	for (i = 0; i < SW_DROP_MAX; i++)
		out_printf(o, "drop %-20s %-12" PRIu64 " %s\n", sw_drop_names[i], t.drop[i],
			   sw_drop_help[i]);
	out_printf(o,
		   "violation nf_bad_buffer   %-12" PRIu64
		   " NF returned a pointer that was no packet it held\n"
		   "violation nf_bad_index    %-12" PRIu64
		   " NF wrote a ring index no ring can have\n",
		   t.dp.nf_bad_buffer, t.dp.nf_bad_index);
	tp_sum(&tps);
	out_printf(o, "pool: %u of %u buffers free; NF slots used %u of %u\n", dp_pool_avail(),
		   sw.pool->size, nf_slots_used(), sw.conf.max_nfs);
	if (!sw.conf.shared_memory)
		out_printf(o, "tenant pools: %u, %" PRIu64 " of %" PRIu64 " buffers free\n",
			   tps.pools, tps.avail, tps.size);
	out_printf(o, "datapath: %.1f cycles per hop (%" PRIu64 " hops)\n",
		   t.dp.hops ? (double)t.dp.busy_cycles / t.dp.hops : 0.0, t.dp.hops);
	kind_counters_print(o, &t.dp);
	if (with_nfs)
		TAILQ_FOREACH (nf, &nfs, next)
			if (!nf->removed)
				nf_print(o, nf, false);
	return 0;
}

static void
count_memzone(const struct rte_memzone *mz, void *arg)
{
	(void)mz;
	(*(unsigned int *)arg)++;
}

static int
cmd_status(struct args *a, struct out *o)
{
	const struct tenant *t;
	const struct nf *nf;
	unsigned int n_t = 0, n_nf = 0, n_up = 0, n_mz = 0;

	if (a->i < a->argc)
		return unknown_option(a);
	rte_memzone_walk(count_memzone, &n_mz);
	TAILQ_FOREACH (t, &tenants, next)
		n_t++;
	TAILQ_FOREACH (nf, &nfs, next) {
		if (nf->removed)
			continue;
		n_nf++;
		n_up += nf->state == NF_UP;
	}
	if (o->json) {
		out_printf(o,
			   "{\"ports\":%u,\"tenants\":%u,\"nfs\":%u,\"nfs_up\":%u,\"max_nfs\":%u,"
			   "\"pool_size\":%u,\"pool_avail\":%u,\"dpdk\":\"%u.%02u\","
			   "\"abi\":{\"shm_version\":%u,\"dpdk_version\":%u,\"mbuf_size\":%zu"
			   "},\"memzones\":%u,\"connections\":%u,"
			   "\"bpf_programs\":%u,\"nf_memory\":\"%s\",\"socket\":\"",
			   sw.n_ports, n_t, n_nf, n_up, sw.conf.max_nfs, sw.pool->size,
			   dp_pool_avail(), RTE_VER_YEAR, RTE_VER_MONTH, MYR_SHM_VERSION,
			   RTE_VERSION, sizeof(struct rte_mbuf), n_mz, conn_count(),
			   bpf_progs_loaded(), sw.conf.shared_memory ? "shared" : "isolated");
		out_json_str(o, sw.conf.socket);
		out_printf(o, "\"}\n");
	} else {
		out_printf(o,
			   "myriad-switch: %u ports, %u tenants, %u NFs (%u up, %u slots), pool "
			   "%u/%u free, NF memory %s\n",
			   sw.n_ports, n_t, n_nf, n_up, sw.conf.max_nfs, dp_pool_avail(),
			   sw.pool->size,
			   sw.conf.shared_memory ? "shared (NFs trusted)" : "isolated per tenant");
	}
	return 0;
}

static int
cmd_log(struct args *a, struct out *o)
{
	static const char *const levels[] = { "",        "emerg",  "alert", "crit", "err",
					      "warning", "notice", "info",  "debug" };
	const char *pattern = "myriad.*";
	unsigned int l;

	if (a->i >= a->argc) {
		out_printf(o, o->json ? "{\"myriad.switch\":\"%s\"}\n" : "myriad.switch %s\n",
			   levels[rte_log_get_level(sw_logtype)]);
		return 0;
	}
	for (l = 1; l < RTE_DIM(levels); l++)
		if (strcmp(a->argv[a->i], levels[l]) == 0)
			break;
	if (l == RTE_DIM(levels))
		return ctl_err(-EINVAL, "unknown level %s (emerg..debug)", a->argv[a->i]);
	if (a->i + 1 < a->argc)
		pattern = a->argv[a->i + 1];
	if (a->i + 2 < a->argc)
		return ctl_err(-EINVAL, "usage: log level [LEVEL [PATTERN]]");
	if (rte_log_set_level_pattern(pattern, l) < 0)
		return ctl_err(-EINVAL, "cannot set level of %s", pattern);
	return 0;
}

static int cmd_help(struct args *a, struct out *o);

struct cmd {
	const char *word1, *word2;
	int (*fn)(struct args *a, struct out *o);
	const char *usage;
};

static const struct cmd cmds[] = {
	{ "status", NULL, cmd_status, "status" },
	{ "port", "list", cmd_port_list, "port list" },
	{ "tenant", "add", cmd_tenant_add, "tenant add NAME --mac MAC[,MAC...] [--port P]" },
	{ "tenant", "del", cmd_tenant_del, "tenant del NAME" },
	{ "tenant", "list", cmd_tenant_list, "tenant list [NAME]" },
	{ "nf", "add", cmd_nf_add,
	  "nf add NAME --tenant T [--pos N] [--exec 'PROGRAM ARGS' [--no-wait]] "
	  "[--transport KIND] | [--bpf FILE.o [--section S] [--bpf-args HEX]]" },
	{ "nf", "set", cmd_nf_set, "nf set NAME --OPTION VALUE..." },
	{ "nf", "del", cmd_nf_del, "nf del NAME" },
	{ "nf", "start", cmd_nf_start, "nf start NAME [--no-wait]" },
	{ "nf", "list", cmd_nf_list, "nf list [--tenant T]" },
	{ "stats", NULL, cmd_stats, "stats [--nfs]" },
	{ "log", "level", cmd_log, "log level [LEVEL [PATTERN]]" },
	{ "help", NULL, cmd_help, "help" },
};

static int
cmd_help(struct args *a, struct out *o)
{
	const struct ctl_transport *const *list;
	unsigned int i, n = ctl_transports(&list);

	if (a->i < a->argc)
		return unknown_option(a);
	for (i = 0; i < RTE_DIM(cmds); i++)
		out_printf(o, "%s\n", cmds[i].usage);
	out_printf(o, "\ntransports (nf add --transport): %s\n", myr_transport_list());
	for (i = 0; i < n; i++) {
		const struct ctl_nf_option *opt = list[i]->nf_options;

		for (; opt != NULL && opt->name != NULL; opt++)
			out_printf(o, "  nf set NAME --%s %s   (%s NFs)\n", opt->name, opt->arg,
				   myr_transport_name(list[i]->kind));
	}
	return 0;
}

int
cmd_run(int argc, const char *argv[], struct out *o)
{
	struct args a = { .argc = argc, .argv = argv, .i = 0 };
	unsigned int i;

	if (a.i < argc && strcmp(argv[a.i], "--json") == 0) {
		o->json = true;
		a.i++;
	}
	if (a.i >= argc)
		return ctl_err(-EINVAL, "no command (try 'help')");
	for (i = 0; i < RTE_DIM(cmds); i++) {
		if (strcmp(argv[a.i], cmds[i].word1) != 0)
			continue;
		if (cmds[i].word2 == NULL) {
			a.i++;
			return cmds[i].fn(&a, o);
		}
		if (a.i + 1 < argc && strcmp(argv[a.i + 1], cmds[i].word2) == 0) {
			a.i += 2;
			return cmds[i].fn(&a, o);
		}
	}
	return ctl_err(-EINVAL, "unknown command '%s' (try 'help')", argv[a.i]);
}

/* --- DPDK telemetry: /myriad/stats --- */

static int
tel_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct totals t;
	unsigned int i;

	(void)cmd;
	(void)params;
	pthread_mutex_lock(&ctl_lock);
	totals_get(&t);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "rx", t.rx);
	rte_tel_data_add_dict_u64(d, "tx", t.tx);
	rte_tel_data_add_dict_u64(d, "dropped", t.drops);
	for (i = 0; i < SW_DROP_MAX; i++)
		rte_tel_data_add_dict_u64(d, sw_drop_names[i], t.drop[i]);
	if (sw.pool != NULL)
		rte_tel_data_add_dict_u64(d, "pool_avail", dp_pool_avail());
	rte_tel_data_add_dict_u64(d, "slots_used", nf_slots_used());
	pthread_mutex_unlock(&ctl_lock);
	return 0;
}

int
stats_telemetry_init(void)
{
	return rte_telemetry_register_cmd("/myriad/stats", tel_stats,
					  "myriad-switch packet and drop counters. No parameters");
}
