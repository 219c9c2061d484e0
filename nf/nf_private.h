/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libmyriad_nf's insides: the NF handle and the table each kind of NF fills
 * (tr_<kind>.c). nf.c registers, maps and dispatches; a transport only moves packets
 * and waits.
 */
#ifndef MYRIAD_NF_PRIVATE_H
#define MYRIAD_NF_PRIVATE_H

#include <rte_mbuf.h>

#include <myriad/nf.h>
#include <myriad/proto.h>

struct myr_nf;

/* One kind of NF as the NF runtime drives it. */
struct nf_transport {
	enum myr_transport kind;
	/* after the channel is mapped: what this kind needs besides (may be NULL) */
	int (*attach)(struct myr_nf *nf);
	uint16_t (*rx_burst)(struct myr_nf *nf, struct rte_mbuf **pkts, uint16_t n);
	uint16_t (*tx_burst)(struct myr_nf *nf, struct rte_mbuf **pkts, const uint8_t *verdicts,
			     uint16_t n);
	/* nothing was received: wait for packets (or only let others run) */
	int (*wait)(struct myr_nf *nf);
	/* make a wait in progress return (myr_nf_stop); async-signal-safe; may be NULL */
	void (*interrupt)(struct myr_nf *nf);
};

extern const struct nf_transport nf_tr_poll;
extern const struct nf_transport nf_tr_block;

struct myr_nf {
	int fd;
	uint32_t slot;
	volatile int stop;
	int gone; /* the connection closed while we were asked to run: the switch died */
	uint32_t n_checks;
	struct myr_chan *ch;
	struct myr_ring *to_nf;
	struct myr_ring *from_nf;
	uint32_t ring_size;
	uint32_t to_cons, from_prod; /* our indexes of the two rings (the switch keeps its own) */
	/* descriptors on the rings (MYR_CHAN_F_DESC): our own mbuf headers, one per
	 * buffer of the tenant's packet memory; NULL: the rings carry pointers */
	struct rte_mbuf *bufs;
	uint32_t n_bufs;
	enum myr_transport kind;
	const struct nf_transport *tr;
	union {
		struct {
			uint32_t sleep_seq; /* our copy of ch->nf.tr.block.sleep_seq */
		} block;
	} tr_state;
	unsigned int n_maps;
	struct {
		void *addr;
		size_t len;
	} maps[MYR_SEGS_MAX];
	char name[MYR_NAME_MAX];
};

/* Record the reason of a failed attach (myr_nf_last_error()); returns err. */
int nf_error(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* How often myr_nf_check() looks at the socket: a syscall per 4096 checks is noise */
#define NF_CHECK_SOCKET_EVERY 4096

/* tr_ring.c: the channel's two rings, for every kind that has them */
static inline int
nf_ring_empty(const struct myr_nf *nf)
{
	return __atomic_load_n(&nf->to_nf->prod, __ATOMIC_ACQUIRE) == nf->to_cons;
}
uint16_t nf_ring_rx_burst(struct myr_nf *nf, struct rte_mbuf **pkts, uint16_t n);
uint16_t nf_ring_tx_burst(struct myr_nf *nf, struct rte_mbuf **pkts, const uint8_t *verdicts,
			  uint16_t n);

#endif /* MYRIAD_NF_PRIVATE_H */
