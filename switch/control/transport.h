/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One kind of NF as the control plane handles it. Each kind fills one struct
 * ctl_transport in its own file (tr_<kind>.c); nf.c, fwd.c, cmd.c and main.c call it
 * and know nothing else of the kind. The data path's half is struct dp_transport
 * (datapath/transport.h), the NF runtime's struct nf_transport (nf/nf_private.h).
 */
#ifndef MYRIAD_CTL_TRANSPORT_H
#define MYRIAD_CTL_TRANSPORT_H

#include "control.h"

/* An option of the switch's command line that sets a default of a kind. */
struct ctl_sw_option {
	const char *name; /* without "--" */
	const char *arg;  /* its value's name in --help */
	const char *help;
	/* parse and keep the value; -EINVAL with a message (ctl_err) if it is bad */
	int (*set)(const char *value);
};

/* An option of `nf set NAME --OPTION VALUE`. */
struct ctl_nf_option {
	const char *name;
	const char *arg;
	/* parse and set it on nf; -errno with a message if it is bad (nf unchanged) */
	int (*set)(struct nf *nf, const char *value);
};

struct ctl_transport {
	enum myr_transport kind;
	bool has_process; /* its NFs are processes that register (struct nf_proc) */
	/* checks and setup at start, after the options (NULL: none) */
	int (*init)(void);
	/* a new NF's settings: the kind's defaults (NULL: none) */
	void (*nf_init)(struct nf *nf);
	/* the NF is freed: free what its settings hold (NULL: nothing) */
	void (*nf_fini)(struct nf *nf);
	/* the NF got its slot (nf->slot): prepare what the NF is handed, and fill its
	 * welcome (memory to map, as fds). -errno with a message, nothing kept. */
	int (*attach)(struct nf *nf, struct myr_welcome *w, int *fds, unsigned int *n_fds);
	/* ask the NF to leave (it still has its slot) */
	void (*stop)(struct nf *nf);
	/* the data path has let go of the slot and the NF's process is gone: take back
	 * every packet it held or had queued; return how many */
	uint64_t (*reclaim)(struct nf *nf, uint32_t slot);
	/* the NF's settings as the data path reads them in its snapshot entry */
	void (*fwd_params)(const struct nf *nf, union fwd_params *p);
	/* this kind's part of an NF's line in `nf list` (o->json: ",\"key\":value"...) */
	void (*print)(const struct nf *nf, struct out *o);
	const struct ctl_sw_option *sw_options; /* ends with a NULL name; may be NULL */
	const struct ctl_nf_option *nf_options; /* ends with a NULL name; may be NULL */
};

extern const struct ctl_transport ctl_tr_poll;
extern const struct ctl_transport ctl_tr_block;
extern const struct ctl_transport ctl_tr_bpf;

/* The table of a kind (NULL: not built); all of them, for the options and --help.
 * Adding a transport: its table in the list in nf.c. */
const struct ctl_transport *ctl_transport(enum myr_transport kind);
unsigned int ctl_transports(const struct ctl_transport *const **list);

/* tr_ring.c: the control half of the kinds that share a channel's two rings */
int ring_attach(struct nf *nf, struct myr_welcome *w, int *fds, unsigned int *n_fds);
void ring_stop(struct nf *nf);
uint64_t ring_reclaim(struct nf *nf, uint32_t slot);

#endif /* MYRIAD_CTL_TRANSPORT_H */
