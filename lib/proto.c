/* SPDX-License-Identifier: BSD-3-Clause */
/* The control-protocol codec and the blocking socket helpers of myriadctl and NFs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <myriad/proto.h>

int
myr_msg_hdr_check(const struct myr_msg_hdr *h)
{
	if (h->magic != MYR_PROTO_MAGIC || h->version != MYR_PROTO_VERSION)
		return -EPROTO;
	switch (h->type) {
	case MYR_MSG_CMD:
		return h->len >= sizeof(uint32_t) && h->len <= MYR_CMD_MAX ? 0 : -EMSGSIZE;
	case MYR_MSG_REPLY:
		return h->len >= sizeof(int32_t) && h->len <= MYR_REPLY_MAX ? 0 : -EMSGSIZE;
	case MYR_MSG_HELLO:
		/* any size up to a bound: myr_hello_check tells another layout apart */
		return h->len >= sizeof(uint32_t) && h->len <= 4 * sizeof(struct myr_hello)
			       ? 0
			       : -EMSGSIZE;
	case MYR_MSG_WELCOME:
		return h->len == sizeof(struct myr_welcome) ? 0 : -EMSGSIZE;
	default:
		return -EBADMSG;
	}
}

int
myr_cmd_encode(void *buf, size_t size, int argc, char *const argv[])
{
	uint32_t n = argc;
	size_t off = sizeof(n);
	int i;

	if (argc < 1 || argc > MYR_CMD_ARGS_MAX)
		return -EINVAL;
	if (size > MYR_CMD_MAX)
		size = MYR_CMD_MAX;
	if (size < off)
		return -E2BIG;
	memcpy(buf, &n, sizeof(n));
	for (i = 0; i < argc; i++) {
		size_t l = strlen(argv[i]) + 1;

		if (l > size - off)
			return -E2BIG;
		memcpy((char *)buf + off, argv[i], l);
		off += l;
	}
	return off;
}

int
myr_cmd_decode(const void *payload, size_t len, const char *argv[], int max)
{
	const char *p = payload, *end = p + len;
	uint32_t argc, i;

	if (len < sizeof(argc) || len > MYR_CMD_MAX)
		return -EBADMSG;
	memcpy(&argc, p, sizeof(argc));
	p += sizeof(argc);
	if (argc == 0)
		return -EBADMSG;
	if (argc > (uint32_t)max || argc > MYR_CMD_ARGS_MAX)
		return -E2BIG;
	for (i = 0; i < argc; i++) {
		const char *nul = memchr(p, '\0', end - p);

		if (nul == NULL)
			return -EBADMSG;
		argv[i] = p;
		p = nul + 1;
	}
	/* trailing bytes mean the sender and we disagree on the format */
	return p == end ? (int)argc : -EBADMSG;
}

int
myr_name_valid(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		char c = s[i];

		if (i >= MYR_NAME_MAX - 1)
			return 0;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || (i > 0 && (c == '.' || c == ':' || c == '-'))))
			return 0; /* a name never looks like an option (-x) or a path (., ..) */
	}
	return i > 0;
}

static int
field_valid(const char *f, int may_be_empty)
{
	if (memchr(f, '\0', MYR_NAME_MAX) == NULL)
		return 0;
	return (may_be_empty && f[0] == '\0') || myr_name_valid(f);
}

int
myr_hello_check(const void *payload, size_t len)
{
	struct myr_hello h;
	uint32_t version;

	if (len < sizeof(version))
		return -EBADMSG;
	memcpy(&version, payload, sizeof(version));
	if (version != MYR_SHM_VERSION)
		return -EPROTONOSUPPORT;
	if (len != sizeof(h))
		return -EBADMSG;
	memcpy(&h, payload, sizeof(h));
	if (h.flags != 0)
		return -EBADMSG;
	if (h.transport >= MYR_T_MAX || !field_valid(h.name, 0) || !field_valid(h.tenant, 1))
		return -EINVAL;
	return 0;
}

int
myr_msg_send(int fd, uint16_t type, uint32_t seq, const void *payload, uint32_t len, const int *fds,
	     unsigned int n_fds)
{
	struct myr_msg_hdr h = {
		.magic = MYR_PROTO_MAGIC,
		.version = MYR_PROTO_VERSION,
		.type = type,
		.len = len,
		.seq = seq,
	};
	char cbuf[CMSG_SPACE(sizeof(int) * MYR_FDS_MAX)];
	struct iovec iov[2] = {
		{ .iov_base = &h, .iov_len = sizeof(h) },
		{ .iov_base = (void *)(uintptr_t)payload, .iov_len = len },
	};
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };
	size_t done = 0, total = sizeof(h) + len;

	if (n_fds > MYR_FDS_MAX)
		return -EINVAL;
	if (n_fds > 0) {
		struct cmsghdr *c;

		memset(cbuf, 0, sizeof(cbuf));
		m.msg_control = cbuf;
		m.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * n_fds);
	}
	while (done < total) {
		ssize_t r = sendmsg(fd, &m, MSG_NOSIGNAL);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		done += r;
		/* fds travel with the first byte only; advance the iovecs past what was sent */
		m.msg_control = NULL;
		m.msg_controllen = 0;
		while (r > 0 && m.msg_iovlen > 0) {
			size_t step =
				(size_t)r < m.msg_iov->iov_len ? (size_t)r : m.msg_iov->iov_len;

			m.msg_iov->iov_base = (char *)m.msg_iov->iov_base + step;
			m.msg_iov->iov_len -= step;
			r -= step;
			if (m.msg_iov->iov_len == 0) {
				m.msg_iov++;
				m.msg_iovlen--;
			}
		}
	}
	return 0;
}

static void
take_fds(struct msghdr *m, int *fds, unsigned int *n_fds, unsigned int max)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(m); c != NULL; c = CMSG_NXTHDR(m, c)) {
		unsigned int i, n;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			int f;

			memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (*n_fds < max)
				fds[(*n_fds)++] = f;
			else
				close(f);
		}
	}
}

/* Read exactly size bytes; fds that arrive on the way are collected. */
static int
read_full(int fd, void *buf, size_t size, int *fds, unsigned int *n_fds, unsigned int max)
{
	size_t done = 0;

	while (done < size) {
		char cbuf[CMSG_SPACE(sizeof(int) * MYR_FDS_MAX)];
		struct iovec iov = { .iov_base = (char *)buf + done, .iov_len = size - done };
		struct msghdr m = {
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = cbuf,
			.msg_controllen = sizeof(cbuf),
		};
		ssize_t r = recvmsg(fd, &m, MSG_CMSG_CLOEXEC);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			return -ECONNRESET;
		take_fds(&m, fds, n_fds, max);
		done += r;
	}
	return 0;
}

int
myr_msg_recv(int fd, struct myr_msg_hdr *h, void **payload, int *fds, unsigned int *n_fds)
{
	unsigned int max = n_fds != NULL ? *n_fds : 0, got = 0;
	int dummy[MYR_FDS_MAX];
	void *p;
	int ret;

	if (fds == NULL)
		fds = dummy;
	*payload = NULL;
	ret = read_full(fd, h, sizeof(*h), fds, &got, max);
	if (ret < 0)
		goto fail;
	ret = myr_msg_hdr_check(h);
	if (ret < 0)
		goto fail;
	p = malloc(h->len + 1);
	if (p == NULL) {
		ret = -ENOMEM;
		goto fail;
	}
	ret = read_full(fd, p, h->len, fds, &got, max);
	if (ret < 0) {
		free(p);
		goto fail;
	}
	((char *)p)[h->len] = '\0'; /* convenience for text replies */
	*payload = p;
	if (n_fds != NULL)
		*n_fds = got;
	return 0;
fail:
	while (got > 0)
		close(fds[--got]);
	if (n_fds != NULL)
		*n_fds = 0;
	return ret;
}

int
myr_ctl_connect(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(a.sun_path))
		return -ENAMETOOLONG;
	strcpy(a.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}
