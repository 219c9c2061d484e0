/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The myriad control protocol: framed messages on the switch's Unix stream socket,
 * spoken by myriadctl (commands) and by NFs (registration).
 *
 * Every message is a struct myr_msg_hdr followed by len payload bytes. All integers
 * are host byte order (the socket is local). A receiver rejects a message whose
 * magic, version, type or length is wrong, and closes the connection: framing
 * cannot be trusted after that.
 *
 *   MYR_MSG_CMD      client -> switch  argv of one command (myriadctl)
 *   MYR_MSG_REPLY    switch -> client  status and text (or JSON) of that command
 *   MYR_MSG_HELLO    NF -> switch      registration: struct myr_hello
 *   MYR_MSG_WELCOME  switch -> NF      struct myr_welcome, with one memory fd per
 *                                      segment in SCM_RIGHTS ancillary data
 *
 * An NF keeps its connection open for its whole life: the switch learns that the NF
 * died from the connection's closing, and the NF learns that the switch died the
 * same way.
 */
#ifndef MYRIAD_PROTO_H
#define MYRIAD_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include <myriad/names.h>
#include <myriad/shm.h>

#define MYR_PROTO_MAGIC   0x4c43594dU /* "MYCL" */
#define MYR_PROTO_VERSION 1

#define MYR_CMD_MAX        8192         /* bytes of one command's payload */
#define MYR_CMD_ARGS_MAX   64           /* arguments of one command */
#define MYR_REPLY_MAX      (16u << 20)  /* bytes of one reply: stats of thousands of NFs */
#define MYR_SEGS_MAX       32           /* memory segments an NF maps */
#define MYR_FDS_MAX        MYR_SEGS_MAX /* fds in one message */
#define MYR_DEFAULT_SOCKET "/run/myriad/myriad.sock"

enum myr_msg_type {
	MYR_MSG_CMD = 1,
	MYR_MSG_REPLY = 2,
	MYR_MSG_HELLO = 3,
	MYR_MSG_WELCOME = 4,
};

struct myr_msg_hdr {
	uint32_t magic;   /* MYR_PROTO_MAGIC */
	uint16_t version; /* MYR_PROTO_VERSION */
	uint16_t type;    /* enum myr_msg_type */
	uint32_t len;     /* payload bytes after this header */
	uint32_t seq;     /* echoed in the reply */
};

/*
 * MYR_MSG_CMD payload: uint32_t argc, then argc NUL-terminated strings, nothing else.
 * MYR_MSG_REPLY payload: int32_t status (0 or -errno), then the text, not
 * NUL-terminated (its length is len - 4).
 */

/*
 * shm_version comes first and stays first: a switch reads it from a registration of
 * any size, so that an NF built for another layout is told so, not just cut off.
 */
struct myr_hello {
	uint32_t shm_version;      /* MYR_SHM_VERSION the NF was built against */
	uint32_t transport;        /* enum myr_transport */
	uint32_t pid;              /* informational: the switch trusts SO_PEERCRED */
	uint32_t flags;            /* none defined; must be 0 */
	uint32_t dpdk_version;     /* RTE_VERSION of the DPDK headers the NF was built with */
	uint16_t mbuf_size;        /* their sizeof(struct rte_mbuf) */
	uint16_t reserved;         /* 0 (the size of struct rte_ring before layout 4) */
	char name[MYR_NAME_MAX];   /* NF name, NUL-terminated */
	char tenant[MYR_NAME_MAX]; /* tenant to join if the NF was not declared, or "" */
};
_Static_assert(sizeof(struct myr_hello) == 88 && offsetof(struct myr_hello, name) == 24,
	       "registration layout");

struct myr_seg {
	uint64_t addr;   /* virtual address to map it at (the switch's), 0: anywhere */
	uint64_t len;    /* bytes */
	uint64_t offset; /* offset in the fd */
};

struct myr_welcome {
	int32_t status;    /* 0, or -errno with error[] saying why */
	uint32_t slot;     /* the NF's slot */
	uint64_t reserved; /* 0 */
	uint32_t n_segs;   /* segments, and fds in the ancillary data; the first: the channel */
	uint32_t pad;
	struct myr_seg segs[MYR_SEGS_MAX];
	char error[128];
};
_Static_assert(offsetof(struct myr_welcome, segs) == 24 && sizeof(struct myr_welcome) == 920,
	       "welcome layout");

/* --- codec (lib/proto.c): pure functions, no I/O, safe on hostile bytes --- */

/**
 * Check a message header.
 * @return 0, or -EPROTO (bad magic/version), -EBADMSG (unknown type),
 *   -EMSGSIZE (len over the limit of its type).
 */
int myr_msg_hdr_check(const struct myr_msg_hdr *h);

/**
 * Encode argv as a MYR_MSG_CMD payload into buf.
 * @return payload bytes, or -E2BIG if it does not fit in size or MYR_CMD_MAX,
 *   -EINVAL if argc is out of range.
 */
int myr_cmd_encode(void *buf, size_t size, int argc, char *const argv[]);

/**
 * Decode a MYR_MSG_CMD payload. argv[] points into payload, which must stay alive.
 * The payload is not modified; every string is checked to be NUL-terminated.
 * @return argc (>= 1), or -EBADMSG if malformed, -E2BIG if more than max arguments.
 */
int myr_cmd_decode(const void *payload, size_t len, const char *argv[], int max);

/**
 * Validate a MYR_MSG_HELLO payload: the layout version first (read from a payload
 * of any size from 4 bytes), then exact size, NUL-terminated valid names, known
 * transport, zero flags. The DPDK fields are the caller's to compare.
 * @return 0, -EBADMSG (malformed), -EPROTONOSUPPORT (other shm_version),
 *   -EINVAL (bad name or transport).
 */
int myr_hello_check(const void *payload, size_t len);

/**
 * Is s a valid name: 1..MYR_NAME_MAX-1 characters of [A-Za-z0-9_.:-], the first of
 * [A-Za-z0-9_] (a name never looks like an option)?
 */
int myr_name_valid(const char *s);

/* --- blocking I/O helpers for clients (myriadctl, NFs) --- */

/**
 * Send one message, with optional fds (SCM_RIGHTS).
 * @return 0 or -errno.
 */
int myr_msg_send(int fd, uint16_t type, uint32_t seq, const void *payload, uint32_t len,
		 const int *fds, unsigned int n_fds);

/**
 * Receive one whole message (blocking). *payload is malloc'd (caller frees);
 * fds received are stored in fds[] (up to *n_fds, updated); extra fds are closed.
 * @return 0, -ECONNRESET on orderly close, -EPROTO/-EBADMSG/-EMSGSIZE on bad
 *   framing, -ENOMEM, or -errno of recvmsg.
 */
int myr_msg_recv(int fd, struct myr_msg_hdr *h, void **payload, int *fds, unsigned int *n_fds);

/**
 * Connect to the switch's control socket.
 * @return a socket fd, or -errno.
 */
int myr_ctl_connect(const char *path);

#endif /* MYRIAD_PROTO_H */
