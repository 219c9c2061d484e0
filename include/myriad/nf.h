/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The NF API: what a DPDK network function links against (libmyriad_nf).
 *
 * An NF is an ordinary process. myr_nf_attach() connects to the switch's control
 * socket, registers, and maps the switch's packet memory at the switch's addresses
 * from file descriptors the switch passes over the socket. The NF does not run
 * rte_eal_init(): it uses only DPDK's inline data-plane API (struct rte_mbuf and its
 * accessors, rte_ether_hdr, ...). That keeps attach in the millisecond range, lets
 * thousands of NFs start at once, and means a crashing NF cannot wedge a lock that
 * other processes need (doc/architecture.md, "Why NFs skip rte_eal_init").
 *
 * Two ways to use it:
 *  - myr_nf_run() with a per-burst callback: the library owns the loop;
 *  - myr_nf_rx_burst() / myr_nf_tx_burst() from the application's own loop, with
 *    myr_nf_fd() to watch in its poll set and myr_nf_check() to learn of a stop.
 *
 * Ownership: a packet returned by myr_nf_rx_burst() belongs to the NF until it is
 * given back with myr_nf_tx_burst() and a verdict. The NF never frees a packet: it
 * returns it with MYR_V_DROP. If the NF dies, the switch takes back every packet it
 * held.
 */
#ifndef MYRIAD_NF_H
#define MYRIAD_NF_H

#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include <myriad/names.h>
#include <myriad/shm.h>

struct myr_nf;

struct myr_nf_conf {
	const char *socket; /* control socket; NULL: $MYRIAD_SOCKET or MYR_DEFAULT_SOCKET */
	const char *name;   /* NF name; NULL: $MYRIAD_NF */
	const char *tenant; /* tenant to join if the switch has not declared this NF */
	enum myr_transport transport;
};

/**
 * Parse the library's own options out of argv: --switch PATH, --name NAME,
 * --tenant NAME, --transport poll|block. Recognised options (and their values)
 * are removed; argv is compacted.
 * Values not given fall back to $MYRIAD_SOCKET, $MYRIAD_NF, $MYRIAD_TENANT and
 * $MYRIAD_TRANSPORT (set by the switch when it spawns an NF).
 * @return the new argc, or -EINVAL (an option without its value, or an unknown
 *   transport).
 */
int myr_nf_parse_args(struct myr_nf_conf *conf, int argc, char **argv);

/**
 * Register with the switch and map its packet memory.
 * @return the NF handle, or NULL with errno set: ECONNREFUSED/ENOENT (no switch),
 *   EEXIST (name taken), ENOENT (unknown tenant), EPROTONOSUPPORT (the switch
 *   speaks another shm layout), EADDRINUSE (the switch's addresses are taken in
 *   this process), ENOMEM. myr_nf_last_error() gives the switch's message.
 */
struct myr_nf *myr_nf_attach(const struct myr_nf_conf *conf);

/** The switch's message for the last failed attach, or "". */
const char *myr_nf_last_error(void);

/**
 * Detach: return nothing further, close the connection, unmap. Packets still held
 * are reclaimed by the switch. NULL is a no-op.
 */
void myr_nf_detach(struct myr_nf *nf);

/** Receive up to n packets. @return the number received (0 when none wait). */
uint16_t myr_nf_rx_burst(struct myr_nf *nf, struct rte_mbuf **pkts, uint16_t n);

/**
 * Give packets back to the switch, each with its verdict (verdicts NULL: all
 * MYR_V_FORWARD).
 * @return the number accepted; the rest still belong to the caller (the ring to the
 *   switch is full: try again).
 */
uint16_t myr_nf_tx_burst(struct myr_nf *nf, struct rte_mbuf **pkts, const uint8_t *verdicts,
			 uint16_t n);

/** The control connection's fd, readable when the switch speaks or goes away. */
int myr_nf_fd(const struct myr_nf *nf);

/**
 * Check for a stop: the switch asked the NF to stop, the switch went away, or
 * myr_nf_stop() was called. Cheap: reads one shared word, and polls the socket only
 * every few thousand calls.
 * @return 0 to keep going, -ESHUTDOWN to stop.
 */
int myr_nf_check(struct myr_nf *nf);

/**
 * Wait for packets. A blocking NF (transport "block") sleeps on a futex in its channel
 * until the switch wakes it (enough packets wait, or the oldest has waited the aging
 * timeout), asks it to stop, or goes away (signalled with SIGIO on the control
 * socket: the library installs a handler for SIGIO unless the application has one);
 * a polling NF only yields the CPU. Call it when myr_nf_rx_burst() returned nothing.
 * @return 0, or -errno of the futex wait.
 */
int myr_nf_wait(struct myr_nf *nf);

/**
 * Make SIGINT and SIGTERM stop this NF (myr_nf_stop()): the usual wish of an NF
 * program, in one call. An application with signal handling of its own calls
 * myr_nf_stop() from it instead. One NF per process.
 * @return 0, or -errno of sigaction.
 */
int myr_nf_stop_on_signals(struct myr_nf *nf);

/** Ask myr_nf_run() to return; async-signal-safe. */
void myr_nf_stop(struct myr_nf *nf);

/**
 * Per-burst callback of myr_nf_run(): process n packets and set verdicts[i]
 * (preset to MYR_V_FORWARD).
 */
typedef void myr_nf_burst_fn(struct rte_mbuf **pkts, uint8_t *verdicts, uint16_t n, void *arg);

/**
 * Run the NF: receive, call fn per burst, return packets, until a stop.
 * @return 0 on a requested stop, -ESHUTDOWN when the switch went away.
 */
int myr_nf_run(struct myr_nf *nf, myr_nf_burst_fn *fn, void *arg);

/**
 * Parse a MAC address "aa:bb:cc:dd:ee:ff" (NFs have no EAL, and DPDK's own parser
 * lives in a library that needs one).
 * @return 0, or -EINVAL.
 */
int myr_ether_aton(const char *s, struct rte_ether_addr *a);

/** Name and slot of an attached NF. */
const char *myr_nf_name(const struct myr_nf *nf);
uint32_t myr_nf_slot(const struct myr_nf *nf);

#endif /* MYRIAD_NF_H */
