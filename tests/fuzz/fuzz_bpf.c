/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target of the loader of in-switch NFs (switch/control/bpf.c): the input
 * is an object file as a tenant would hand it over. It is parsed, checked and, if it
 * passes, compiled and run once on a context: nothing it holds may crash the loader,
 * and a program that passes runs without touching anything outside its context.
 *
 * Build as fuzz_cmd.c says (this file for fuzz_cmd.c; add undefined to -fsanitize), then
 *   /tmp/fuzz_bpf -max_total_time=60 /tmp/fuzz_new tests/fuzz/corpus/bpf
 * Under gcc, replay.c runs it over the corpus in the normal test run.
 */
#include <stdint.h>
#include <stdlib.h>

#include "datapath/tr_bpf.h"
#include "test_env.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct myr_bpf_ctx ctx;
	struct bpf_prog *p;

	p = bpf_prog_load_mem(data, size, NULL);
	if (p == NULL)
		p = bpf_prog_load_mem(data, size, "prog");
	if (p != NULL) {
		memset(&ctx, 0, sizeof(ctx));
		ctx.len = 64;
		(void)p->run(&ctx);
		bpf_prog_free(p);
	}
	return 0;
}
