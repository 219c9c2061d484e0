/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The memory an NF of a kind that shares the switch's maps (poll, block), passed as
 * file descriptors in the WELCOME:
 *   - its own channel (include/myriad/shm.h): a memory object made for this attach
 *     alone, so that the NF can reach no other slot's channel, now or later (a
 *     descriptor it kept or passed on reaches only an object no one else uses);
 *   - its tenant's packet data (tpool.h), mapped anywhere: descriptors on the rings;
 *   - or, with --nf-memory shared, the hugepage segments that hold the switch's
 *     packet pool (and the rest of its EAL memory), mapped by the NF at the switch's
 *     addresses: pointers on the rings.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_memory.h>
#include <rte_version.h>

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
	if (n_segs == MYR_SEGS_MAX - 1) /* the first of a welcome is the channel */
		return -1;
	segs[n_segs] = (struct myr_seg){ .addr = (uintptr_t)ms->addr, .len = len, .offset = off };
	seg_fds[n_segs++] = fd;
	return 0;
}

int
mem_init(void)
{
	n_segs = 0;
	if (!sw.conf.shared_memory)
		return 0; /* no NF maps EAL memory */
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
mem_chans_init(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t chan = RTE_ALIGN_CEIL(
		sizeof(struct myr_chan) + 2 * myr_ring_bytes(sw.conf.ring_size), page);
	uint32_t i;

	/*
	 * Address space for every slot's channel, backed by nothing yet: each attach maps
	 * a memory object of its own here (chan_object). Not hugepages: an NF must be
	 * able to map its channel's pages and no other's, and the pages of one object
	 * are all its holder can reach.
	 */
	sw.chan_size = chan;
	sw.chan_base = mmap(NULL, chan * sw.conf.max_nfs, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (sw.chan_base == MAP_FAILED) {
		sw.chan_base = NULL;
		LOG(ERR, "cannot reserve %zu bytes for channels: %s", chan * sw.conf.max_nfs,
		    strerror(errno));
		return -ENOMEM;
	}
	/* the switch's own view of the channels: private memory, fixed from now on */
	sw.chans = calloc(sw.conf.max_nfs, sizeof(*sw.chans));
	sw.to_nf = calloc(sw.conf.max_nfs, sizeof(*sw.to_nf));
	sw.from_nf = calloc(sw.conf.max_nfs, sizeof(*sw.from_nf));
	if (sw.chans == NULL || sw.to_nf == NULL || sw.from_nf == NULL)
		return -ENOMEM;
	for (i = 0; i < sw.conf.max_nfs; i++) {
		sw.chans[i] = (struct myr_chan *)(sw.chan_base + (size_t)i * chan);
		sw.to_nf[i] = (struct myr_ring *)((uint8_t *)sw.chans[i] + sizeof(struct myr_chan));
		sw.from_nf[i] = (struct myr_ring *)((uint8_t *)sw.to_nf[i] +
						    myr_ring_bytes(sw.conf.ring_size));
	}
	return 0;
}

void
mem_chans_fini(void)
{
	free(sw.chans);
	free(sw.to_nf);
	free(sw.from_nf);
	if (sw.chan_base != NULL)
		munmap(sw.chan_base, sw.chan_size * sw.conf.max_nfs);
	sw.chans = NULL;
	sw.to_nf = sw.from_nf = NULL;
	sw.chan_base = NULL;
}

int
mem_object(const char *name, size_t len, unsigned int mfd_flags, void **at)
{
	int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | mfd_flags), e;
	void *p;

	if (fd < 0)
		return -errno;
	/* sealed at its size: an NF holding the fd cannot shrink it under the switch
	 * (the switch would fault on the lost pages) */
	if (ftruncate(fd, (off_t)len) < 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0 ||
	    (p = mmap(*at, len, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_POPULATE | (*at != NULL ? MAP_FIXED : 0), fd, 0)) ==
		    MAP_FAILED) {
		e = errno;
		close(fd);
		return -e;
	}
	*at = p;
	return fd;
}

void
mem_chan_release(uint32_t slot)
{
	/* in one step, so that a late reader (the waker thread) finds memory there */
	if (mmap(sw.chans[slot], sw.chan_size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0) == MAP_FAILED)
		LOG(ERR, "slot %u: cannot release its channel: %s", slot, strerror(errno));
}

int
mem_welcome(uint32_t slot, const struct tpool *tp, struct myr_welcome *w, int *fds,
	    unsigned int *n_fds)
{
	struct myr_chan *c = sw.chans[slot];
	unsigned int i;
	void *at;
	int fd;

	/* a new object over the slot's place in the reservation (mem_chans_init) */
	at = c;
	fd = mem_object("myriad-channel", sw.chan_size, 0, &at);
	if (fd < 0)
		return ctl_err(fd, "cannot make a channel: %s", strerror(-fd));
	/* a new object is zeroes: empty rings, no state */
	c->hdr = (struct myr_chan_hdr){
		.magic = MYR_SHM_MAGIC,
		.version = MYR_SHM_VERSION,
		.dpdk_version = RTE_VERSION,
		.mbuf_size = sizeof(struct rte_mbuf),
		.slot = slot,
		.ring_size = sw.conf.ring_size,
		.to_nf_off = (uint32_t)((uint8_t *)sw.to_nf[slot] - (uint8_t *)c),
		.from_nf_off = (uint32_t)((uint8_t *)sw.from_nf[slot] - (uint8_t *)c),
		.chan_size = sw.chan_size,
	};
	w->slot = slot;
	w->segs[0] = (struct myr_seg){ .addr = 0, .len = sw.chan_size, .offset = 0 };
	fds[0] = fd;
	*n_fds = 1;
	if (tp != NULL) {
		c->hdr.flags = MYR_CHAN_F_DESC;
		c->hdr.n_bufs = tp->n;
		c->hdr.buf_size = tp->buf_size;
		w->n_segs = 2;
		w->segs[1] = (struct myr_seg){ .addr = 0, .len = tp->data_len, .offset = 0 };
		fds[1] = fcntl(tp->fd, F_DUPFD_CLOEXEC, 0);
		if (fds[1] < 0) {
			int e = errno;

			close(fds[0]);
			*n_fds = 0;
			return ctl_err(-e, "cannot pass the packet memory: %s", strerror(e));
		}
		*n_fds = 2;
		return 0;
	}
	w->n_segs = 1 + n_segs;
	/* every fd of a welcome is the welcome's own: the caller closes them once sent */
	for (i = 0; i < n_segs; i++) {
		fds[1 + i] = fcntl(seg_fds[i], F_DUPFD_CLOEXEC, 0);
		if (fds[1 + i] < 0) {
			int e = errno;

			while (*n_fds > 0)
				close(fds[--*n_fds]);
			return ctl_err(-e, "cannot pass the packet memory: %s", strerror(e));
		}
		w->segs[1 + i] = segs[i];
		(*n_fds)++;
	}
	return 0;
}
