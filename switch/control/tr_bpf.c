/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Transport bpf, control half: an in-switch NF is its program (bpf.c) and its
 * context; it has no process, so it is up from the moment it is added until it is
 * deleted. Whatever changes under traffic (the program, the NF's state) is replaced
 * whole: a new one is published in the snapshot and the old one freed after the
 * grace period, so a packet runs the old or the new, never a mix, and none is lost.
 */
#include <stdlib.h>

#include "../datapath/tr_bpf.h"
#include "transport.h"

/* An in-switch NF's own (nf->tr_conf.u64[0]). */
struct bpf_nf {
	struct bpf_prog *prog;
	char *path;             /* the file it came from */
	union bpf_state *state; /* while it has a slot */
	uint8_t args[MYR_BPF_STATE];
};

static struct bpf_nf *
bpf_of(const struct nf *nf)
{
	return (struct bpf_nf *)(uintptr_t)nf->tr_conf.u64[0];
}

static union bpf_state *
state_new(const struct bpf_nf *b)
{
	union bpf_state *st = aligned_alloc(RTE_CACHE_LINE_SIZE, sizeof(*st));

	if (st == NULL) {
		ctl_err(-ENOMEM, "out of memory");
		return NULL;
	}
	memcpy(st->b, b->args, sizeof(st->b));
	return st;
}

static int
bpf_attach(struct nf *nf, struct myr_welcome *w, int *fds, unsigned int *n_fds)
{
	struct bpf_nf *b = bpf_of(nf);

	(void)w, (void)fds, (void)n_fds;
	if (b == NULL || b->prog == NULL)
		return ctl_err(-EINVAL, "NF %s has no program (nf add --bpf FILE)", nf->name);
	b->state = state_new(b);
	return b->state != NULL ? 0 : -ENOMEM;
}

/* The data path let go of the slot: nothing is queued in an in-switch NF. */
static uint64_t
bpf_reclaim(struct nf *nf, uint32_t slot)
{
	struct bpf_nf *b = bpf_of(nf);

	(void)slot;
	free(b->state);
	b->state = NULL;
	return 0;
}

static void
bpf_fini(struct nf *nf)
{
	struct bpf_nf *b = bpf_of(nf);

	if (b == NULL)
		return;
	bpf_prog_free(b->prog);
	free(b->state);
	free(b->path);
	free(b);
	nf->tr_conf.u64[0] = 0;
}

static void
bpf_fwd_params(const struct nf *nf, union fwd_params *p)
{
	const struct bpf_nf *b = bpf_of(nf);
	struct bpf_params *bp = (struct bpf_params *)p;

	bp->prog = b->prog;
	bp->state = b->state;
}

static void
bpf_print(const struct nf *nf, struct out *o)
{
	const struct bpf_nf *b = bpf_of(nf);
	const struct bpf_prog *p = b != NULL ? b->prog : NULL;

	if (p == NULL)
		return;
	if (o->json)
		out_printf(o,
			   ",\"bpf\":\"%s\",\"section\":\"%s\",\"insns\":%u,\"cost\":%u,"
			   "\"jit_bytes\":%zu,\"stack\":%u,\"writes\":%s",
			   b->path, p->section, p->n_insns, p->cost, p->jit_size, p->stack,
			   p->writes ? "true" : "false");
	else
		out_printf(o, " bpf %s:%s insns %u cost %u jit %zu B", b->path, p->section,
			   p->n_insns, p->cost, p->jit_size);
}

/* Put a new program in place of the old: no packet sees neither. */
static int
replace_prog(struct nf *nf, const char *path, const char *section)
{
	struct bpf_nf *b = bpf_of(nf);
	struct bpf_prog *old = b->prog, *p = bpf_prog_load(path, section);
	char *new_path = strdup(path), *old_path = b->path;
	int ret;

	if (p == NULL || new_path == NULL) {
		bpf_prog_free(p);
		free(new_path);
		return p == NULL ? -EINVAL : ctl_err(-ENOMEM, "out of memory");
	}
	b->prog = p;
	b->path = new_path;
	ret = fwd_publish(); /* and its grace period: no worker runs the old one after it */
	if (ret < 0) {
		b->prog = old;
		b->path = old_path;
		bpf_prog_free(p);
		free(new_path);
		return ret;
	}
	bpf_prog_free(old);
	free(old_path);
	LOG(INFO, "NF %s: program %s:%s (%u insns)", nf->name, path, p->section, p->n_insns);
	return 0;
}

static int
set_bpf(struct nf *nf, const char *value)
{
	return replace_prog(nf, value, bpf_of(nf)->prog->section);
}

static int
set_section(struct nf *nf, const char *value)
{
	return replace_prog(nf, bpf_of(nf)->path, value);
}

/* hex digits, two a byte, up to MYR_BPF_STATE bytes; the rest zero */
static int
parse_args(const char *s, uint8_t out[MYR_BPF_STATE])
{
	size_t n = strlen(s), i;

	if (n % 2 != 0 || n / 2 > MYR_BPF_STATE)
		return ctl_err(-EINVAL, "--bpf-args: '%s' is not up to %d bytes in hex", s,
			       MYR_BPF_STATE);
	memset(out, 0, MYR_BPF_STATE);
	for (i = 0; i < n; i++) {
		int c = s[i], v = c >= '0' && c <= '9'   ? c - '0'
				  : c >= 'a' && c <= 'f' ? c - 'a' + 10
				  : c >= 'A' && c <= 'F' ? c - 'A' + 10
							 : -1;

		if (v < 0)
			return ctl_err(-EINVAL, "--bpf-args: '%s' is not hex", s);
		out[i / 2] = (uint8_t)(out[i / 2] << 4 | v);
	}
	return 0;
}

/* New state for the NF, published; the old freed after the grace period. */
static int
set_args(struct nf *nf, const char *value)
{
	struct bpf_nf *b = bpf_of(nf);
	uint8_t args[MYR_BPF_STATE], saved[MYR_BPF_STATE];
	union bpf_state *old = b->state, *st;
	int ret = parse_args(value, args);

	if (ret < 0)
		return ret;
	memcpy(saved, b->args, sizeof(saved));
	memcpy(b->args, args, sizeof(args));
	if (old == NULL)
		return 0;
	st = state_new(b);
	if (st == NULL || (b->state = st, ret = fwd_publish()) < 0) {
		memcpy(b->args, saved, sizeof(saved));
		b->state = old;
		free(st);
		return st == NULL ? -ENOMEM : ret;
	}
	free(old);
	return 0;
}

static const struct ctl_nf_option bpf_nf_options[] = {
	{ "bpf", "FILE", set_bpf },
	{ "section", "NAME", set_section },
	{ "bpf-args", "HEX", set_args },
	{ NULL, NULL, NULL },
};

static int
parse_limit(const char *name, const char *value, uint32_t *out)
{
	char *end;
	unsigned long v = strtoul(value, &end, 10);

	if (*value == '\0' || *end != '\0' || v == 0 || v > 65536)
		return ctl_err(-EINVAL, "--%s: %s is not 1..65536", name, value);
	*out = v;
	return 0;
}

static int
set_max_insns(const char *value)
{
	return parse_limit("bpf-max-insns", value, &bpf_max_insns);
}

static int
set_max_cost(const char *value)
{
	return parse_limit("bpf-max-cost", value, &bpf_max_cost);
}

static const struct ctl_sw_option bpf_sw_options[] = {
	{ "bpf-max-insns", "N",
	  "most instructions of an in-switch NF's program (4096): bounds its cost per packet",
	  set_max_insns },
	{ "bpf-max-cost", "N",
	  "most an in-switch NF's dearest path may cost, in ALU operations (4096; a multiply "
	  "counts 3, a division 10): bounds what one packet costs the switch's core",
	  set_max_cost },
	{ NULL, NULL, NULL, NULL },
};

const struct ctl_transport ctl_tr_bpf = {
	.kind = MYR_T_BPF,
	.has_process = false,
	.attach = bpf_attach,
	.reclaim = bpf_reclaim,
	.nf_fini = bpf_fini,
	.fwd_params = bpf_fwd_params,
	.print = bpf_print,
	.sw_options = bpf_sw_options,
	.nf_options = bpf_nf_options,
};

int
bpf_nf_add(const char *name, struct tenant *t, int pos, const char *path, const char *section,
	   const char *args)
{
	struct bpf_nf *b = calloc(1, sizeof(*b));
	union nf_tr_conf conf = { .u64 = { (uintptr_t)b } };
	int ret;

	if (b == NULL)
		return ctl_err(-ENOMEM, "out of memory");
	if (args != NULL && (ret = parse_args(args, b->args)) < 0)
		goto fail;
	b->path = strdup(path);
	if (b->path == NULL) {
		ret = ctl_err(-ENOMEM, "out of memory");
		goto fail;
	}
	b->prog = bpf_prog_load(path, section);
	if (b->prog == NULL) {
		ret = -EINVAL;
		goto fail;
	}
	ret = nf_add_inswitch(name, t, pos, MYR_T_BPF, &conf);
	if (ret == 0)
		return 0; /* b is the NF's: freed with it (bpf_fini) */
fail:
	bpf_prog_free(b->prog);
	free(b->path);
	free(b);
	return ret;
}
