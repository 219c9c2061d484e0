/* SPDX-License-Identifier: BSD-3-Clause */
/* signature's work on one frame: shared by the process NF (signature.c) and the test
 * that holds its eBPF version (signature.bpf.c) to the same result. */
#ifndef MYRIAD_NF_SIGNATURE_H
#define MYRIAD_NF_SIGNATURE_H

#include <stdint.h>
#include <string.h>

/*
 * FNV-1a over the first 64 bytes as eight 64-bit words (little-endian, zeros past the
 * frame's end), folded to 32 bits: a word at a time, as cheap as a hardware CRC, and
 * no table, so that an eBPF program computes the same.
 */
static inline uint32_t
signature_of(const uint8_t *p, uint32_t len)
{
	uint64_t w[8] = { 0 }, h = 0xcbf29ce484222325ULL;
	unsigned int i;

	memcpy(w, p, len < sizeof(w) ? len : sizeof(w));
	for (i = 0; i < 8; i++)
		h = (h ^ w[i]) * 0x100000001b3ULL;
	return (uint32_t)(h ^ (h >> 32));
}

#endif
