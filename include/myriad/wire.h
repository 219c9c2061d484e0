/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a traffic source or sink attaching to myriad-switch as a DPDK secondary
 * (myriad-gen) finds there: the packet pool, the virtual-wire rings, and the
 * transmit stamp. Not part of the NF ABI: NFs never see these.
 */
#ifndef MYRIAD_WIRE_H
#define MYRIAD_WIRE_H

/* Names of the shared DPDK objects, formatted into the caller's buffer. */
#define MYR_POOL_NAME "myr_pool"
/* Virtual-wire rings of port N: the traffic source enqueues into RX, the sink
 * dequeues from TX (directions as the switch sees them). */
#define MYR_WIRE_RX_FMT "myr_w%u_rx"
#define MYR_WIRE_TX_FMT "myr_w%u_tx"
/* mbuf dynamic field (uint64_t): the switch's TSC when it handed the packet to an
 * output port, as a NIC's transmit timestamp. A sink on the virtual wire measures
 * latency up to it, so how often the sink polls does not count as latency. */
#define MYR_WIRE_TSC_FIELD "myriad_wire_tsc"

#endif /* MYRIAD_WIRE_H */
