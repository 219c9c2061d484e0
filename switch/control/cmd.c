/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The command interpreter behind myriadctl: parses one command's argv, changes the
 * registry, and writes the reply as text for people or JSON for scripts. The same
 * counters are registered as DPDK telemetry commands (/myriad/...).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_log.h>
#include <rte_mempool.h>
#include <rte_telemetry.h>

#include "control.h"

void
out_printf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			o->failed = true;
			return;
		}
		if (o->len + n < o->cap) {
			o->len += n;
			return;
		}
		size_t cap = o->cap ? o->cap * 2 : 4096;
		char *b;

		while (cap <= o->len + n)
			cap *= 2;
		if (cap > MYR_REPLY_MAX || (b = realloc(o->buf, cap)) == NULL) {
			o->failed = true;
			return;
		}
		o->buf = b;
		o->cap = cap;
	}
}

/* --- argument helpers --- */

struct args {
	int argc;
	const char **argv;
	int i;
};

/* Value of option "--name" at the cursor, or NULL. */
static const char *
opt_value(struct args *a, const char *name, struct out *o, int *err)
{
	if (strcmp(a->argv[a->i], name) != 0)
		return NULL;
	if (a->i + 1 >= a->argc) {
		out_printf(o, "%s needs a value", name);
		*err = -EINVAL;
		return NULL;
	}
	a->i += 2;
	return a->argv[a->i - 1];
}

static int
parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	*v = strtoul(s, &end, 0);
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

static uint64_t
rd(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* --- commands --- */

static int
cmd_tenant_add(struct args *a, struct out *o)
{
	uint64_t macs[SW_MAX_MACS];
	unsigned int n_macs = 0;
	const char *name, *v, *mac_arg = NULL, *port_arg = NULL;
	uint16_t port = 0;
	int err = 0;

	if (a->i >= a->argc)
		return out_printf(o, "usage: tenant add NAME --mac MAC[,MAC...] [--port P]"),
		       -EINVAL;
	name = a->argv[a->i++];
	while (a->i < a->argc) {
		if ((v = opt_value(a, "--mac", o, &err)) != NULL)
			mac_arg = v;
		else if ((v = opt_value(a, "--port", o, &err)) != NULL)
			port_arg = v;
		else if (err == 0)
			return out_printf(o, "unknown option %s", a->argv[a->i]), -EINVAL;
		if (err < 0)
			return err;
	}
	if (mac_arg == NULL)
		return out_printf(o, "tenant add: --mac is required"), -EINVAL;
	if (port_arg != NULL && port_parse(port_arg, &port) < 0)
		return out_printf(o, "no port %s", port_arg), -ENODEV;
	{
		char buf[MYR_CMD_MAX], *tok, *save = NULL;

		snprintf(buf, sizeof(buf), "%s", mac_arg);
		for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			if (n_macs == SW_MAX_MACS)
				return out_printf(o, "more than %d MACs", SW_MAX_MACS), -EINVAL;
			if (mac_parse(tok, &macs[n_macs]) < 0)
				return out_printf(o, "invalid MAC address '%s'", tok), -EINVAL;
			n_macs++;
		}
	}
	return tenant_add(name, macs, n_macs, port, o);
}

static int
cmd_tenant_del(struct args *a, struct out *o)
{
	struct tenant *t;

	if (a->i + 1 != a->argc)
		return out_printf(o, "usage: tenant del NAME"), -EINVAL;
	t = tenant_lookup(a->argv[a->i]);
	if (t == NULL)
		return out_printf(o, "no tenant %s", a->argv[a->i]), -ENOENT;
	return tenant_del(t, o);
}

static void
tenant_print(struct out *o, const struct tenant *t, bool first)
{
	char mac[24];
	unsigned int i;

	if (o->json) {
		out_printf(o, "%s{\"name\":\"%s\",\"port\":%u,\"macs\":[", first ? "" : ",",
			   t->name, t->port);
		for (i = 0; i < t->n_macs; i++) {
			mac_format(t->macs[i], mac, sizeof(mac));
			out_printf(o, "%s\"%s\"", i ? "," : "", mac);
		}
		out_printf(o, "],\"chain\":[");
		for (i = 0; i < t->n_chain; i++)
			out_printf(o, "%s\"%s\"", i ? "," : "", t->chain[i]->name);
		out_printf(o, "]}");
		return;
	}
	out_printf(o, "%-16s port %-8s chain:", t->name, sw.port_names[t->port]);
	for (i = 0; i < t->n_chain; i++)
		out_printf(o, " %s(%s)", t->chain[i]->name, nf_state_names[t->chain[i]->state]);
	out_printf(o, " -> %s  macs:", sw.port_names[t->port]);
	for (i = 0; i < t->n_macs; i++) {
		mac_format(t->macs[i], mac, sizeof(mac));
		out_printf(o, " %s", mac);
	}
	out_printf(o, "\n");
}

static int
cmd_tenant_list(struct args *a, struct out *o)
{
	const struct tenant *t;
	bool first = true;

	if (a->i < a->argc) {
		t = tenant_lookup(a->argv[a->i]);
		if (t == NULL)
			return out_printf(o, "no tenant %s", a->argv[a->i]), -ENOENT;
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

static char **
split_exec(const char *s)
{
	char **argv = calloc(MYR_CMD_ARGS_MAX + 1, sizeof(*argv));
	const char *p = s;
	int n = 0;

	if (argv == NULL)
		return NULL;
	while (*p != '\0') {
		size_t l;

		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		l = strcspn(p, " ");
		if (n == MYR_CMD_ARGS_MAX || (argv[n] = strndup(p, l)) == NULL)
			goto fail;
		n++;
		p += l;
	}
	if (n > 0)
		return argv;
fail:
	while (n > 0)
		free(argv[--n]);
	free(argv);
	return NULL;
}

static int
transport_parse(const char *s, enum myr_transport *tr)
{
	if (strcmp(s, "poll") == 0)
		*tr = MYR_T_POLL;
	else if (strcmp(s, "block") == 0)
		*tr = MYR_T_BLOCK;
	else
		return -EINVAL;
	return 0;
}

static int
cmd_nf_add(struct args *a, struct out *o)
{
	const char *name, *v, *tenant = NULL, *exec = NULL;
	enum myr_transport tr = MYR_T_POLL;
	unsigned long pos = ULONG_MAX;
	char **exec_argv = NULL;
	struct tenant *t;
	struct nf *nf;
	int err = 0, ret;

	if (a->i >= a->argc)
		return out_printf(o, "usage: nf add NAME --tenant T [--pos N] [--exec 'PROGRAM "
				     "ARGS'] [--transport poll|block]"),
		       -EINVAL;
	name = a->argv[a->i++];
	while (a->i < a->argc) {
		if ((v = opt_value(a, "--tenant", o, &err)) != NULL)
			tenant = v;
		else if ((v = opt_value(a, "--exec", o, &err)) != NULL)
			exec = v;
		else if ((v = opt_value(a, "--pos", o, &err)) != NULL) {
			if (parse_uint(v, SW_MAX_CHAIN, &pos) < 0)
				return out_printf(o, "invalid position %s", v), -EINVAL;
		} else if ((v = opt_value(a, "--transport", o, &err)) != NULL) {
			if (transport_parse(v, &tr) < 0)
				return out_printf(o, "unknown transport %s (have: poll, block)", v),
				       -EINVAL;
		} else if (err == 0)
			return out_printf(o, "unknown option %s", a->argv[a->i]), -EINVAL;
		if (err < 0)
			return err;
	}
	if (tenant == NULL)
		return out_printf(o, "nf add: --tenant is required"), -EINVAL;
	t = tenant_lookup(tenant);
	if (t == NULL)
		return out_printf(o, "no tenant %s", tenant), -ENOENT;
	if (exec != NULL && (exec_argv = split_exec(exec)) == NULL)
		return out_printf(o, "invalid --exec '%s'", exec), -EINVAL;
	ret = nf_add(name, t, pos == ULONG_MAX ? -1 : (int)pos, exec_argv, tr, o);
	if (ret < 0) {
		if (exec_argv != NULL) {
			for (char **p = exec_argv; *p; p++)
				free(*p);
			free(exec_argv);
		}
		return ret;
	}
	nf = nf_lookup(name);
	if (exec_argv != NULL) {
		ret = nf_spawn(nf, o);
		if (ret < 0) {
			struct out ignore = { 0 };

			nf_del(nf, &ignore);
			free(ignore.buf);
			return ret;
		}
	}
	return 0;
}

static struct nf *
nf_arg(struct args *a, struct out *o, const char *usage)
{
	struct nf *nf;

	if (a->i + 1 != a->argc) {
		out_printf(o, "usage: %s", usage);
		return NULL;
	}
	nf = nf_lookup(a->argv[a->i]);
	if (nf == NULL)
		out_printf(o, "no NF %s", a->argv[a->i]);
	return nf;
}

static int
cmd_nf_del(struct args *a, struct out *o)
{
	struct nf *nf = nf_arg(a, o, "nf del NAME");

	return nf != NULL ? nf_del(nf, o) : -ENOENT;
}

static int
cmd_nf_start(struct args *a, struct out *o)
{
	struct nf *nf = nf_arg(a, o, "nf start NAME");

	return nf != NULL ? nf_spawn(nf, o) : -ENOENT;
}

static int
cmd_nf_set(struct args *a, struct out *o)
{
	unsigned long batch = ULONG_MAX, timeout = ULONG_MAX;
	const char *v;
	struct nf *nf;
	int err = 0;

	if (a->i >= a->argc)
		return out_printf(o, "usage: nf set NAME [--wake-batch N] [--wake-timeout US]"),
		       -EINVAL;
	nf = nf_lookup(a->argv[a->i]);
	if (nf == NULL)
		return out_printf(o, "no NF %s", a->argv[a->i]), -ENOENT;
	a->i++;
	while (a->i < a->argc) {
		if ((v = opt_value(a, "--wake-batch", o, &err)) != NULL) {
			if (parse_uint(v, LONG_MAX, &batch) < 0)
				return out_printf(o, "invalid wake batch %s", v), -EINVAL;
		} else if ((v = opt_value(a, "--wake-timeout", o, &err)) != NULL) {
			if (parse_uint(v, LONG_MAX, &timeout) < 0)
				return out_printf(o, "invalid wake timeout %s", v), -EINVAL;
		} else if (err == 0)
			return out_printf(o, "unknown option %s", a->argv[a->i]), -EINVAL;
		if (err < 0)
			return err;
	}
	return nf_set_wake(nf, batch == ULONG_MAX ? -1 : (long)batch,
			   timeout == ULONG_MAX ? -1 : (long)timeout, o);
}

static const char *const transport_names[] = { [MYR_T_POLL] = "poll", [MYR_T_BLOCK] = "block" };

static void
nf_print(struct out *o, const struct nf *nf, bool first)
{
	const struct dp_slot_stats *st = nf->slot >= 0 ? &sw.slot_stats[nf->slot] : NULL;
	uint64_t to = st ? rd(&st->to_nf) : 0, from = st ? rd(&st->from_nf) : 0;
	uint64_t full = st ? rd(&st->ring_full) : 0, vd = st ? rd(&st->verdict_drop) : 0;
	uint64_t wk = st ? rd(&st->wakeups) : 0, share = st ? rd(&st->over_share) : 0;
	uint64_t sleeps = nf->slot >= 0 ? rd(&myr_shm_chan(sw.shm, nf->slot)->nf.n_sleeps) : 0;

	if (o->json) {
		out_printf(o,
			   "%s{\"name\":\"%s\",\"tenant\":\"%s\",\"state\":\"%s\",\"transport\":"
			   "\"%s\",\"slot\":%d,\"pid\":%d,\"starts\":%u,\"to_nf\":%" PRIu64
			   ",\"from_nf\":%" PRIu64 ",\"ring_full\":%" PRIu64
			   ",\"over_share\":%" PRIu64 ",\"verdict_drop\":%" PRIu64
			   ",\"wakeups\":%" PRIu64 ",\"sleeps\":%" PRIu64
			   ",\"wake_batch\":%u,\"wake_timeout_us\":%u}",
			   first ? "" : ",", nf->name, nf->tenant ? nf->tenant->name : "",
			   nf_state_names[nf->state], transport_names[nf->transport], nf->slot,
			   (int)nf->pid, nf->n_starts, to, from, full, share, vd, wk, sleeps,
			   nf->wake_batch, nf->wake_timeout_us);
		return;
	}
	out_printf(o,
		   "%-16s %-12s %-8s %-5s slot %-5d pid %-7d in %-10" PRIu64 " out %-10" PRIu64
		   " ring_full %" PRIu64 " over_share %" PRIu64 " drop %" PRIu64,
		   nf->name, nf->tenant ? nf->tenant->name : "-", nf_state_names[nf->state],
		   transport_names[nf->transport], nf->slot, (int)nf->pid, to, from, full, share,
		   vd);
	if (nf->transport == MYR_T_BLOCK)
		out_printf(o, " wakeups %" PRIu64 " (batch %u, timeout %u us)", wk, nf->wake_batch,
			   nf->wake_timeout_us);
	out_printf(o, "\n");
}

static int
cmd_nf_list(struct args *a, struct out *o)
{
	const char *tenant = NULL, *v;
	const struct nf *nf;
	bool first = true;
	int err = 0;

	while (a->i < a->argc) {
		if ((v = opt_value(a, "--tenant", o, &err)) != NULL)
			tenant = v;
		else if (err == 0)
			return out_printf(o, "unknown option %s", a->argv[a->i]), -EINVAL;
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

static int
cmd_port_list(struct args *a, struct out *o)
{
	uint16_t p;

	(void)a;
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
	uint64_t rx, tx, drops, drop[SW_DROP_MAX];
};

static void
totals_get(struct totals *t)
{
	unsigned int i;

	memset(t, 0, sizeof(*t));
	/* read drops before rx: a packet in flight may be counted in neither, never twice */
	for (i = 0; i < SW_DROP_MAX; i++) {
		t->drop[i] = rd(&sw.dp.drop[i]) + rd(&sw.ctl_drop[i]);
		t->drops += t->drop[i];
	}
	for (i = 0; i < sw.n_ports; i++) {
		t->tx += rd(&sw.dp.tx[i]);
		t->rx += rd(&sw.dp.rx[i]);
	}
}

static int
cmd_stats(struct args *a, struct out *o)
{
	struct totals t;
	bool with_nfs = false;
	uint64_t busy, hops;
	unsigned int i;

	while (a->i < a->argc) {
		if (strcmp(a->argv[a->i], "--nfs") == 0)
			with_nfs = true;
		else
			return out_printf(o, "unknown option %s", a->argv[a->i]), -EINVAL;
		a->i++;
	}
	totals_get(&t);
	busy = rd(&sw.dp.busy_cycles);
	hops = rd(&sw.dp.hops);
	if (o->json) {
		out_printf(o,
			   "{\"rx\":%" PRIu64 ",\"tx\":%" PRIu64 ",\"dropped\":%" PRIu64
			   ",\"in_flight\":%" PRId64 ",\"drops\":{",
			   t.rx, t.tx, t.drops, (int64_t)(t.rx - t.tx - t.drops));
		for (i = 0; i < SW_DROP_MAX; i++)
			out_printf(o, "%s\"%s\":%" PRIu64, i ? "," : "", sw_drop_names[i],
				   t.drop[i]);
		out_printf(o, "},\"ports\":[");
		for (i = 0; i < sw.n_ports; i++)
			out_printf(o, "%s{\"name\":\"%s\",\"rx\":%" PRIu64 ",\"tx\":%" PRIu64 "}",
				   i ? "," : "", sw.port_names[i], rd(&sw.dp.rx[i]),
				   rd(&sw.dp.tx[i]));
		out_printf(o,
			   "],\"pool\":{\"size\":%u,\"avail\":%u},\"nfs_up\":%u,"
			   "\"datapath\":{\"rounds\":%" PRIu64 ",\"busy_rounds\":%" PRIu64
			   ",\"busy_cycles\":%" PRIu64 ",\"hops\":%" PRIu64
			   ",\"cycles_per_hop\":%.1f,\"tsc_hz\":%" PRIu64 ",\"wakeups\":%" PRIu64
			   ",\"wake_errors\":%" PRIu64 ",\"active_nfs\":%" PRIu64 "}",
			   sw.pool->size, rte_mempool_avail_count(sw.pool), registry_slots_used(),
			   rd(&sw.dp.rounds), rd(&sw.dp.busy_rounds), busy, hops,
			   hops ? (double)busy / hops : 0.0, rte_get_tsc_hz(), rd(&sw.dp.wakeups),
			   rd(&sw.dp.wake_errors), rd(&sw.dp.active_nfs));
		if (with_nfs) {
			const struct nf *nf;
			bool first = true;

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
			   rd(&sw.dp.rx[i]), rd(&sw.dp.tx[i]));
	for (i = 0; i < SW_DROP_MAX; i++)
		out_printf(o, "drop %-20s %-12" PRIu64 " %s\n", sw_drop_names[i], t.drop[i],
			   sw_drop_help[i]);
	out_printf(o, "pool: %u of %u buffers free; NF slots used %u of %u\n",
		   rte_mempool_avail_count(sw.pool), sw.pool->size, registry_slots_used(),
		   sw.conf.max_nfs);
	out_printf(o, "datapath: %.1f cycles per hop (%" PRIu64 " hops)\n",
		   hops ? (double)busy / hops : 0.0, hops);
	if (with_nfs) {
		const struct nf *nf;

		TAILQ_FOREACH (nf, &nfs, next)
			if (!nf->removed)
				nf_print(o, nf, false);
	}
	return 0;
}

static int
cmd_status(struct args *a, struct out *o)
{
	const struct tenant *t;
	const struct nf *nf;
	unsigned int n_t = 0, n_nf = 0, n_up = 0;

	(void)a;
	TAILQ_FOREACH (t, &tenants, next)
		n_t++;
	TAILQ_FOREACH (nf, &nfs, next) {
		if (nf->removed)
			continue;
		n_nf++;
		n_up += nf->state == NF_UP;
	}
	if (o->json)
		out_printf(o,
			   "{\"ports\":%u,\"tenants\":%u,\"nfs\":%u,\"nfs_up\":%u,\"max_nfs\":%u,"
			   "\"pool_size\":%u,\"pool_avail\":%u,\"socket\":\"%s\"}\n",
			   sw.n_ports, n_t, n_nf, n_up, sw.conf.max_nfs, sw.pool->size,
			   rte_mempool_avail_count(sw.pool), sw.conf.socket);
	else
		out_printf(o,
			   "myriad-switch: %u ports, %u tenants, %u NFs (%u up, %u slots), pool "
			   "%u/%u free\n",
			   sw.n_ports, n_t, n_nf, n_up, sw.conf.max_nfs,
			   rte_mempool_avail_count(sw.pool), sw.pool->size);
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
		out_printf(o,
			   o->json ? "{\"switch.control\":\"%s\"}\n" : "myriad.switch.control %s\n",
			   levels[rte_log_get_level(sw_logtype_ctl)]);
		return 0;
	}
	for (l = 1; l < RTE_DIM(levels); l++)
		if (strcmp(a->argv[a->i], levels[l]) == 0)
			break;
	if (l == RTE_DIM(levels))
		return out_printf(o, "unknown level %s (emerg..debug)", a->argv[a->i]), -EINVAL;
	if (a->i + 1 < a->argc)
		pattern = a->argv[a->i + 1];
	if (rte_log_set_level_pattern(pattern, l) < 0)
		return out_printf(o, "cannot set level of %s", pattern), -EINVAL;
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
	  "nf add NAME --tenant T [--pos N] [--exec 'PROGRAM ARGS'] [--transport poll|block]" },
	{ "nf", "set", cmd_nf_set, "nf set NAME [--wake-batch N] [--wake-timeout US]" },
	{ "nf", "del", cmd_nf_del, "nf del NAME" },
	{ "nf", "start", cmd_nf_start, "nf start NAME" },
	{ "nf", "list", cmd_nf_list, "nf list [--tenant T]" },
	{ "stats", NULL, cmd_stats, "stats [--nfs]" },
	{ "log", "level", cmd_log, "log level [LEVEL [PATTERN]]" },
	{ "help", NULL, cmd_help, "help" },
};

static int
cmd_help(struct args *a, struct out *o)
{
	unsigned int i;

	(void)a;
	for (i = 0; i < RTE_DIM(cmds); i++)
		out_printf(o, "%s\n", cmds[i].usage);
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
		return out_printf(o, "no command (try 'help')"), -EINVAL;
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
	return out_printf(o, "unknown command '%s' (try 'help')", argv[a.i]), -EINVAL;
}

/* --- DPDK telemetry: /myriad/stats --- */

static int
tel_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct totals t;
	unsigned int i;

	(void)cmd;
	(void)params;
	totals_get(&t);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "rx", t.rx);
	rte_tel_data_add_dict_u64(d, "tx", t.tx);
	rte_tel_data_add_dict_u64(d, "dropped", t.drops);
	for (i = 0; i < SW_DROP_MAX; i++)
		rte_tel_data_add_dict_u64(d, sw_drop_names[i], t.drop[i]);
	rte_tel_data_add_dict_u64(d, "pool_avail", rte_mempool_avail_count(sw.pool));
	pthread_mutex_lock(&ctl_lock);
	rte_tel_data_add_dict_u64(d, "nfs_up", registry_slots_used());
	pthread_mutex_unlock(&ctl_lock);
	return 0;
}

int
stats_telemetry_init(void)
{
	return rte_telemetry_register_cmd("/myriad/stats", tel_stats,
					  "myriad-switch packet and drop counters. No parameters");
}
