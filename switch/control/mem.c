/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The memory an NF of a kind that shares the switch's maps (poll, block): the
 * hugepage segments that hold the packet pool and the channel area, passed as file
 * descriptors in the WELCOME and mapped by the NF at the switch's addresses.
 */
#include <rte_memory.h>

#include "control.h"

/* computed once, sent with every WELCOME */
static struct myr_seg segs[MYR_SEGS_MAX];
static int seg_fds[MYR_SEGS_MAX];
static unsigned int n_segs;

static int
seg_walk(const struct rte_memseg_list *msl, const struct rte_memseg *ms, size_t len, void *arg)
{
	size_t off;
	int fd;

	(void)msl;
	(void)arg;
	/*
	 * Two calls: in DPDK 22.11 the _offset variant returns 0, not the fd, on
	 * success (the fd it documents is the one rte_memseg_get_fd gives).
	 */
	fd = rte_memseg_get_fd_thread_unsafe(ms);
	if (fd < 0 || rte_memseg_get_fd_offset_thread_unsafe(ms, &off) < 0)
		return -1;
	/* with --single-file-segments a contiguous run is one file range */
	if (n_segs > 0 && seg_fds[n_segs - 1] == fd &&
	    segs[n_segs - 1].addr + segs[n_segs - 1].len == (uintptr_t)ms->addr &&
	    segs[n_segs - 1].offset + segs[n_segs - 1].len == off) {
		segs[n_segs - 1].len += len;
		return 0;
	}
	if (n_segs == MYR_SEGS_MAX)
		return -1;
	segs[n_segs] = (struct myr_seg){ .addr = (uintptr_t)ms->addr, .len = len, .offset = off };
	seg_fds[n_segs++] = fd;
	return 0;
}

int
mem_init(void)
{
	n_segs = 0;
	if (rte_memseg_contig_walk_thread_unsafe(seg_walk, NULL) != 0 || n_segs == 0) {
		LOG(ERR,
		    "cannot share the packet memory with NFs (needs hugepages and "
		    "--single-file-segments; %u segments)",
		    n_segs);
		return -ENOTSUP;
	}
	return 0;
}

int
mem_welcome(struct myr_welcome *w, int *fds, unsigned int *n_fds)
{
	w->shm_addr = (uintptr_t)sw.shm;
	w->n_segs = n_segs;
	memcpy(w->segs, segs, sizeof(segs[0]) * n_segs);
	memcpy(fds, seg_fds, sizeof(seg_fds[0]) * n_segs);
	*n_fds = n_segs;
	return 0;
}
