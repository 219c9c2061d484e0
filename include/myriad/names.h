/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one spelling of the names every program of the project reads and prints:
 * transports, MAC addresses, and how a command line splits into words (lib/names.c).
 * No DPDK: the CLI and the generator use it too.
 */
#ifndef MYRIAD_NAMES_H
#define MYRIAD_NAMES_H

#include <stdint.h>

/*
 * Kinds of NF (DESIGN.md): how an NF exchanges packets with the switch, chosen per NF
 * at attach. Only those built are accepted. Adding a kind: its value here, its name
 * in lib/names.c.
 */
enum myr_transport {
	MYR_T_POLL = 0,  /* A: busy-polling NF */
	MYR_T_BLOCK = 1, /* B: sleeping NF woken by the switch */
	MYR_T_BPF = 2,   /* in-switch eBPF program, run by the switch: no process */
	MYR_T_MAX,
};

#define MYR_MAC_ADDR_LEN 6
#define MYR_MAC_STR_LEN  18 /* "aa:bb:cc:dd:ee:ff" and its NUL */

/**
 * Name of a transport: "poll", "block", ... (the CLI's, JSON's and the spawn
 * environment's spelling).
 * @return the name, or NULL for a value that is no transport.
 */
const char *myr_transport_name(enum myr_transport t);

/**
 * Parse a transport name, exactly as myr_transport_name() spells it.
 * @return 0, or -EINVAL (no such transport; *t unchanged).
 */
int myr_transport_parse(const char *s, enum myr_transport *t);

/**
 * The names of all transports, separated by ", " (for error messages and usage).
 */
const char *myr_transport_list(void);

/**
 * Parse a MAC address: exactly six pairs of hex digits separated by ':' (either case),
 * nothing before or after. No signs, no "0x", no single digits.
 * @param s    the text
 * @param mac  the six bytes, in wire order
 * @return 0, or -EINVAL (mac unchanged).
 */
int myr_mac_parse(const char *s, uint8_t mac[MYR_MAC_ADDR_LEN]);

/**
 * Format a MAC address as "aa:bb:cc:dd:ee:ff" into buf (MYR_MAC_STR_LEN bytes).
 * @return buf
 */
char *myr_mac_format(const uint8_t mac[MYR_MAC_ADDR_LEN], char buf[MYR_MAC_STR_LEN]);

/**
 * Split a command line into words, in place, the one way the project does it
 * (myriadctl -f batches, nf add --exec): blanks separate, '...' and "..." quote, '#' at
 * the start of a word begins a comment.
 * @param line   the text, modified: the words point into it
 * @param words  where the words go
 * @param max    room in words
 * @return the number of words, or -EINVAL (unterminated quote), -E2BIG (more than max).
 */
int myr_split_words(char *line, char **words, int max);

#endif /* MYRIAD_NAMES_H */
