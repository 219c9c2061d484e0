/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the control-protocol codec and socket helpers (lib/proto.c). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <myriad/proto.h>

static struct myr_msg_hdr
hdr(uint16_t type, uint32_t len)
{
	struct myr_msg_hdr h = {
		.magic = MYR_PROTO_MAGIC,
		.version = MYR_PROTO_VERSION,
		.type = type,
		.len = len,
		.seq = 7,
	};

	return h;
}

static void
hdr_check_magic_version_type(void **state)
{
	struct myr_msg_hdr h = hdr(MYR_MSG_CMD, 16);

	(void)state;
	assert_int_equal(myr_msg_hdr_check(&h), 0);
	h.magic = MYR_PROTO_MAGIC ^ 1;
	assert_int_equal(myr_msg_hdr_check(&h), -EPROTO);
	h.magic = 0;
	assert_int_equal(myr_msg_hdr_check(&h), -EPROTO);

	h = hdr(MYR_MSG_CMD, 16);
	h.version = 0;
	assert_int_equal(myr_msg_hdr_check(&h), -EPROTO);
	h.version = MYR_PROTO_VERSION + 1;
	assert_int_equal(myr_msg_hdr_check(&h), -EPROTO);

	h = hdr(0, 16);
	assert_int_equal(myr_msg_hdr_check(&h), -EBADMSG);
	h.type = MYR_MSG_WELCOME + 1;
	assert_int_equal(myr_msg_hdr_check(&h), -EBADMSG);
	h.type = 0xffff;
	assert_int_equal(myr_msg_hdr_check(&h), -EBADMSG);
}

static void
hdr_check_lengths(void **state)
{
	static const struct {
		uint16_t type;
		uint32_t len;
		int ret;
	} cases[] = {
		{ MYR_MSG_CMD, 0, -EMSGSIZE },
		{ MYR_MSG_CMD, 3, -EMSGSIZE },
		{ MYR_MSG_CMD, 4, 0 },
		{ MYR_MSG_CMD, MYR_CMD_MAX, 0 },
		{ MYR_MSG_CMD, MYR_CMD_MAX + 1, -EMSGSIZE },
		{ MYR_MSG_CMD, UINT32_MAX, -EMSGSIZE },
		{ MYR_MSG_REPLY, 0, -EMSGSIZE },
		{ MYR_MSG_REPLY, 3, -EMSGSIZE },
		{ MYR_MSG_REPLY, 4, 0 },
		{ MYR_MSG_REPLY, MYR_REPLY_MAX, 0 },
		{ MYR_MSG_REPLY, MYR_REPLY_MAX + 1, -EMSGSIZE },
		{ MYR_MSG_REPLY, UINT32_MAX, -EMSGSIZE },
		{ MYR_MSG_HELLO, 0, -EMSGSIZE },
		{ MYR_MSG_HELLO, 3, -EMSGSIZE },
		/* any size that holds a layout version: the payload check tells */
		{ MYR_MSG_HELLO, 4, 0 },
		{ MYR_MSG_HELLO, sizeof(struct myr_hello), 0 },
		{ MYR_MSG_HELLO, 4 * sizeof(struct myr_hello), 0 },
		{ MYR_MSG_HELLO, 4 * sizeof(struct myr_hello) + 1, -EMSGSIZE },
		{ MYR_MSG_HELLO, UINT32_MAX, -EMSGSIZE },
		{ MYR_MSG_WELCOME, 0, -EMSGSIZE },
		{ MYR_MSG_WELCOME, sizeof(struct myr_welcome) - 1, -EMSGSIZE },
		{ MYR_MSG_WELCOME, sizeof(struct myr_welcome), 0 },
		{ MYR_MSG_WELCOME, sizeof(struct myr_welcome) + 1, -EMSGSIZE },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct myr_msg_hdr h = hdr(cases[i].type, cases[i].len);
		int ret = myr_msg_hdr_check(&h);

		if (ret != cases[i].ret)
			fail_msg("type %u len %u: %d, expected %d", cases[i].type, cases[i].len,
				 ret, cases[i].ret);
	}
}

static void
cmd_round_trip(void **state)
{
	static char args[][20] = { "tenant", "add", "t1", "--mac", "02:00:00:00:00:01",
				   "--port", "1",   "" };
	const int argc = sizeof(args) / sizeof(args[0]);
	char buf[MYR_CMD_MAX], copy[MYR_CMD_MAX];
	const char *out[MYR_CMD_ARGS_MAX];
	size_t expect = sizeof(uint32_t);
	char *argv[sizeof(args) / sizeof(args[0])];
	uint32_t n;
	int i, len;

	(void)state;
	for (i = 0; i < argc; i++) {
		argv[i] = args[i];
		expect += strlen(argv[i]) + 1;
	}
	len = myr_cmd_encode(buf, sizeof(buf), argc, argv);
	assert_int_equal(len, expect);
	memcpy(&n, buf, sizeof(n));
	assert_int_equal(n, argc);
	assert_memory_equal(buf + 4, "tenant\0add\0t1\0", 14);

	memcpy(copy, buf, len);
	assert_int_equal(myr_cmd_decode(buf, len, out, MYR_CMD_ARGS_MAX), argc);
	for (i = 0; i < argc; i++) {
		assert_string_equal(out[i], argv[i]);
		/* argv points into the payload, which is left as it was */
		assert_true(out[i] >= buf && out[i] < buf + len);
	}
	assert_memory_equal(buf, copy, len);

	/* exactly as many arguments as the caller has room for */
	assert_int_equal(myr_cmd_decode(buf, len, out, argc), argc);
}

static void
cmd_encode_limits(void **state)
{
	static char big[MYR_CMD_MAX + 16], x[] = "x", stats[] = "stats";
	char *argv[MYR_CMD_ARGS_MAX + 1];
	char buf[MYR_CMD_MAX + 64];
	const char *out[MYR_CMD_ARGS_MAX];
	char *const one[] = { stats };
	int i;

	(void)state;
	for (i = 0; i < MYR_CMD_ARGS_MAX + 1; i++)
		argv[i] = x;
	assert_int_equal(myr_cmd_encode(buf, sizeof(buf), 0, argv), -EINVAL);
	assert_int_equal(myr_cmd_encode(buf, sizeof(buf), -1, argv), -EINVAL);
	assert_int_equal(myr_cmd_encode(buf, sizeof(buf), MYR_CMD_ARGS_MAX + 1, argv), -EINVAL);
	assert_int_equal(myr_cmd_encode(buf, sizeof(buf), MYR_CMD_ARGS_MAX, argv),
			 4 + 2 * MYR_CMD_ARGS_MAX);
	assert_int_equal(myr_cmd_decode(buf, 4 + 2 * MYR_CMD_ARGS_MAX, out, MYR_CMD_ARGS_MAX),
			 MYR_CMD_ARGS_MAX);

	/* the buffer must hold argc and every string with its NUL */
	assert_int_equal(myr_cmd_encode(buf, 3, 1, one), -E2BIG);
	assert_int_equal(myr_cmd_encode(buf, 4 + 5, 1, one), -E2BIG);
	assert_int_equal(myr_cmd_encode(buf, 4 + 6, 1, one), 10);

	/* never more than MYR_CMD_MAX, however large the buffer */
	memset(big, 'a', MYR_CMD_MAX - 4 - 1);
	argv[0] = big;
	assert_int_equal(myr_cmd_encode(buf, sizeof(buf), 1, argv), MYR_CMD_MAX);
	big[MYR_CMD_MAX - 4 - 1] = 'a';
	assert_int_equal(myr_cmd_encode(buf, sizeof(buf), 1, argv), -E2BIG);
}

static void
cmd_decode_malformed(void **state)
{
	static char buf[MYR_CMD_MAX + 1];
	const char *out[MYR_CMD_ARGS_MAX];
	uint32_t n;

	(void)state;
	/* empty, and shorter than argc */
	assert_int_equal(myr_cmd_decode(buf, 0, out, MYR_CMD_ARGS_MAX), -EBADMSG);
	assert_int_equal(myr_cmd_decode("\1\0\0", 3, out, MYR_CMD_ARGS_MAX), -EBADMSG);
	/* over the protocol's limit, whatever it holds */
	assert_int_equal(myr_cmd_decode(buf, MYR_CMD_MAX + 1, out, MYR_CMD_ARGS_MAX), -EBADMSG);

	/* argc 0 */
	assert_int_equal(myr_cmd_decode("\0\0\0\0", 4, out, MYR_CMD_ARGS_MAX), -EBADMSG);
	assert_int_equal(myr_cmd_decode("\0\0\0\0a\0", 6, out, MYR_CMD_ARGS_MAX), -EBADMSG);

	/* argc over the caller's array or over the protocol */
	n = MYR_CMD_ARGS_MAX + 1;
	memcpy(buf, &n, 4);
	assert_int_equal(myr_cmd_decode(buf, 4, out, MYR_CMD_ARGS_MAX), -E2BIG);
	n = UINT32_MAX;
	memcpy(buf, &n, 4);
	assert_int_equal(myr_cmd_decode(buf, 4, out, MYR_CMD_ARGS_MAX), -E2BIG);
	assert_int_equal(myr_cmd_decode("\3\0\0\0a\0b\0c\0", 10, out, 2), -E2BIG);
	assert_int_equal(myr_cmd_decode("\3\0\0\0a\0b\0c\0", 10, out, 3), 3);

	/* a string with no NUL before the end */
	assert_int_equal(myr_cmd_decode("\1\0\0\0stats", 9, out, MYR_CMD_ARGS_MAX), -EBADMSG);
	assert_int_equal(myr_cmd_decode("\2\0\0\0a\0b", 7, out, MYR_CMD_ARGS_MAX), -EBADMSG);
	/* fewer strings than argc */
	assert_int_equal(myr_cmd_decode("\3\0\0\0a\0b\0", 8, out, MYR_CMD_ARGS_MAX), -EBADMSG);
	assert_int_equal(myr_cmd_decode("\1\0\0\0", 4, out, MYR_CMD_ARGS_MAX), -EBADMSG);

	/* trailing bytes after the last string */
	assert_int_equal(myr_cmd_decode("\1\0\0\0a\0b", 7, out, MYR_CMD_ARGS_MAX), -EBADMSG);
	assert_int_equal(myr_cmd_decode("\1\0\0\0a\0\0", 7, out, MYR_CMD_ARGS_MAX), -EBADMSG);

	/* and the well-formed neighbours of those are accepted */
	assert_int_equal(myr_cmd_decode("\1\0\0\0a\0", 6, out, MYR_CMD_ARGS_MAX), 1);
	assert_string_equal(out[0], "a");
	assert_int_equal(myr_cmd_decode("\2\0\0\0a\0\0", 7, out, MYR_CMD_ARGS_MAX), 2);
	assert_string_equal(out[1], "");
}

static void
name_valid(void **state)
{
	char name[MYR_NAME_MAX + 1];

	(void)state;
	assert_false(myr_name_valid(""));
	assert_true(myr_name_valid("a"));
	assert_true(myr_name_valid("Az09_.:-"));
	assert_true(myr_name_valid("fw-1.tenant_2:x"));

	memset(name, 'n', MYR_NAME_MAX - 1);
	name[MYR_NAME_MAX - 1] = '\0';
	assert_true(myr_name_valid(name)); /* 31 characters: the most that fit */
	name[MYR_NAME_MAX - 1] = 'n';
	name[MYR_NAME_MAX] = '\0';
	assert_false(myr_name_valid(name)); /* 32 */

	assert_false(myr_name_valid("a b"));
	assert_false(myr_name_valid("a/b"));
	assert_false(myr_name_valid("../x"));
	assert_false(myr_name_valid("a\n"));
	assert_false(myr_name_valid("x,y"));
	assert_false(myr_name_valid("caf\xc3\xa9"));
	assert_false(myr_name_valid("\x7f"));
	assert_false(myr_name_valid("%s"));
}

static void
hello_init(struct myr_hello *h)
{
	memset(h, 0, sizeof(*h));
	h->shm_version = MYR_SHM_VERSION;
	h->transport = MYR_T_MAX - 1;
	h->pid = 1234;
	strcpy(h->name, "fw1");
	strcpy(h->tenant, "t1");
}

static void
hello_check(void **state)
{
	unsigned char raw[sizeof(struct myr_hello) + 1];
	struct myr_hello h;

	(void)state;
	hello_init(&h);
	assert_int_equal(myr_hello_check(&h, sizeof(h)), 0);
	h.transport = MYR_T_POLL;
	h.tenant[0] = '\0'; /* declared NFs name no tenant */
	assert_int_equal(myr_hello_check(&h, sizeof(h)), 0);
	memset(h.name, 'n', MYR_NAME_MAX - 1); /* longest name, NUL in the last byte */
	assert_int_equal(myr_hello_check(&h, sizeof(h)), 0);

	/* wrong size */
	hello_init(&h);
	memcpy(raw, &h, sizeof(h));
	raw[sizeof(h)] = 0;
	assert_int_equal(myr_hello_check(raw, sizeof(h) - 1), -EBADMSG);
	assert_int_equal(myr_hello_check(raw, sizeof(h) + 1), -EBADMSG);
	assert_int_equal(myr_hello_check(raw, 0), -EBADMSG);

	/* unterminated or invalid names */
	memset(h.name, 'n', MYR_NAME_MAX);
	assert_int_equal(myr_hello_check(&h, sizeof(h)), -EINVAL);
	hello_init(&h);
	memset(h.tenant, 't', MYR_NAME_MAX);
	assert_int_equal(myr_hello_check(&h, sizeof(h)), -EINVAL);
	hello_init(&h);
	h.name[0] = '\0';
	assert_int_equal(myr_hello_check(&h, sizeof(h)), -EINVAL);
	hello_init(&h);
	strcpy(h.name, "fw/1");
	assert_int_equal(myr_hello_check(&h, sizeof(h)), -EINVAL);
	hello_init(&h);
	strcpy(h.tenant, "t 1");
	assert_int_equal(myr_hello_check(&h, sizeof(h)), -EINVAL);

	/* unknown transport */
	hello_init(&h);
	h.transport = MYR_T_MAX;
	assert_int_equal(myr_hello_check(&h, sizeof(h)), -EINVAL);
	h.transport = UINT32_MAX;
	assert_int_equal(myr_hello_check(&h, sizeof(h)), -EINVAL);

	/* flags are reserved */
	hello_init(&h);
	h.flags = 1;
	assert_int_equal(myr_hello_check(&h, sizeof(h)), -EBADMSG);
	h.flags = 0x80000000u;
	assert_int_equal(myr_hello_check(&h, sizeof(h)), -EBADMSG);

	/* an NF built against another shared-memory layout */
	hello_init(&h);
	h.shm_version = MYR_SHM_VERSION + 1;
	assert_int_equal(myr_hello_check(&h, sizeof(h)), -EPROTONOSUPPORT);
	h.shm_version = 0;
	assert_int_equal(myr_hello_check(&h, sizeof(h)), -EPROTONOSUPPORT);
	/* ... of another size: still told it is another layout, not just malformed */
	h.shm_version = MYR_SHM_VERSION - 1;
	assert_int_equal(myr_hello_check(&h, 80), -EPROTONOSUPPORT);
	assert_int_equal(myr_hello_check(&h, sizeof(uint32_t)), -EPROTONOSUPPORT);
	assert_int_equal(myr_hello_check(&h, sizeof(uint32_t) - 1), -EBADMSG);
}

static int
pair_setup(void **state)
{
	int *sv = malloc(2 * sizeof(int));

	if (sv == NULL || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
		free(sv);
		return -1;
	}
	*state = sv;
	return 0;
}

static int
pair_teardown(void **state)
{
	int *sv = *state;

	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	free(sv);
	return 0;
}

static void
msg_cmd_and_reply(void **state)
{
	static char json[] = "--json", stats[] = "stats";
	char *const argv[] = { json, stats };
	int *sv = *state;
	static const char text[] = "{\"in\": 1}";
	char buf[MYR_CMD_MAX], reply[4 + sizeof(text) - 1];
	const char *out[MYR_CMD_ARGS_MAX];
	struct myr_msg_hdr h;
	int32_t status = -ENOENT;
	unsigned int n_fds = 4;
	int fds[4];
	void *p;
	int len;

	len = myr_cmd_encode(buf, sizeof(buf), 2, argv);
	assert_true(len > 0);
	assert_int_equal(myr_msg_send(sv[0], MYR_MSG_CMD, 42, buf, len, NULL, 0), 0);
	assert_int_equal(myr_msg_recv(sv[1], &h, &p, fds, &n_fds), 0);
	assert_int_equal(h.magic, MYR_PROTO_MAGIC);
	assert_int_equal(h.version, MYR_PROTO_VERSION);
	assert_int_equal(h.type, MYR_MSG_CMD);
	assert_int_equal(h.seq, 42);
	assert_int_equal(h.len, len);
	assert_int_equal(n_fds, 0);
	assert_non_null(p);
	assert_memory_equal(p, buf, len);
	assert_int_equal(myr_cmd_decode(p, h.len, out, MYR_CMD_ARGS_MAX), 2);
	assert_string_equal(out[0], "--json");
	assert_string_equal(out[1], "stats");
	free(p);

	/* the other way, without fd arguments at all; the text gets a NUL for free */
	memcpy(reply, &status, 4);
	memcpy(reply + 4, text, sizeof(text) - 1);
	assert_int_equal(myr_msg_send(sv[1], MYR_MSG_REPLY, 43, reply, sizeof(reply), NULL, 0), 0);
	assert_int_equal(myr_msg_recv(sv[0], &h, &p, NULL, NULL), 0);
	assert_int_equal(h.type, MYR_MSG_REPLY);
	assert_int_equal(h.seq, 43);
	assert_int_equal(h.len, sizeof(reply));
	memcpy(&status, p, 4);
	assert_int_equal(status, -ENOENT);
	assert_string_equal((char *)p + 4, text);
	free(p);

	/* an empty reply text */
	status = 0;
	assert_int_equal(myr_msg_send(sv[1], MYR_MSG_REPLY, 44, &status, 4, NULL, 0), 0);
	assert_int_equal(myr_msg_recv(sv[0], &h, &p, NULL, NULL), 0);
	assert_int_equal(h.len, 4);
	assert_int_equal(((char *)p)[4], '\0');
	free(p);
}

/* A reply far larger than the socket buffer: the sender and receiver must each loop. */
static void
msg_large_reply(void **state)
{
	int *sv = *state;
	const uint32_t len = 4u << 20;
	struct myr_msg_hdr h;
	unsigned char *big;
	pid_t pid;
	int wst;
	void *p;
	uint32_t i;

	big = malloc(len);
	assert_non_null(big);
	memset(big, 0, 4);
	for (i = 4; i < len; i++)
		big[i] = 'a' + i % 26;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(sv[1]);
		_exit(myr_msg_send(sv[0], MYR_MSG_REPLY, 5, big, len, NULL, 0) == 0 ? 0 : 1);
	}
	assert_int_equal(myr_msg_recv(sv[1], &h, &p, NULL, NULL), 0);
	assert_int_equal(h.len, len);
	assert_int_equal(h.seq, 5);
	assert_memory_equal(p, big, len);
	free(p);
	free(big);
	assert_int_equal(waitpid(pid, &wst, 0), pid);
	assert_true(WIFEXITED(wst) && WEXITSTATUS(wst) == 0);
}

/* Every write end of the pipe is closed: a leaked copy would make this EAGAIN, not hang. */
static void
expect_eof(int fd)
{
	char c;

	assert_int_equal(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
	assert_int_equal(read(fd, &c, 1), 0);
}

static void
msg_pass_fds(void **state)
{
	int *sv = *state;
	struct myr_welcome w = { .status = 0, .slot = 3, .n_segs = 2 };
	int a[2], b[2], send_fds[2], fds[4];
	unsigned int n_fds = 4;
	struct myr_msg_hdr h;
	char c;
	void *p;

	assert_int_equal(pipe(a), 0);
	assert_int_equal(pipe(b), 0);
	send_fds[0] = a[1];
	send_fds[1] = b[1];
	assert_int_equal(myr_msg_send(sv[0], MYR_MSG_WELCOME, 9, &w, sizeof(w), send_fds, 2), 0);
	/* the receiver's copies must be enough to keep the pipes open */
	close(a[1]);
	close(b[1]);

	fds[2] = fds[3] = -2;
	assert_int_equal(myr_msg_recv(sv[1], &h, &p, fds, &n_fds), 0);
	assert_int_equal(h.type, MYR_MSG_WELCOME);
	assert_int_equal(h.len, sizeof(w));
	assert_memory_equal(p, &w, sizeof(w));
	free(p);
	assert_int_equal(n_fds, 2);
	assert_int_equal(fds[2], -2);
	assert_true(fds[0] >= 0 && fds[1] >= 0 && fds[0] != fds[1]);
	/* received with MSG_CMSG_CLOEXEC */
	assert_true(fcntl(fds[0], F_GETFD) & FD_CLOEXEC);

	/* the fds arrive in order: the first is pipe a's write end */
	assert_int_equal(write(fds[0], "A", 1), 1);
	assert_int_equal(write(fds[1], "B", 1), 1);
	assert_int_equal(read(a[0], &c, 1), 1);
	assert_int_equal(c, 'A');
	assert_int_equal(read(b[0], &c, 1), 1);
	assert_int_equal(c, 'B');

	/* the received fds were the only other writers left */
	close(fds[0]);
	close(fds[1]);
	expect_eof(a[0]);
	expect_eof(b[0]);
	close(a[0]);
	close(b[0]);
}

static void
msg_extra_fds_closed(void **state)
{
	int *sv = *state;
	static const char payload[] = "\1\0\0\0x";
	int a[2], b[2], send_fds[2], fds[1];
	unsigned int n_fds = 1;
	struct myr_msg_hdr h;
	void *p;

	assert_int_equal(pipe(a), 0);
	assert_int_equal(pipe(b), 0);
	send_fds[0] = a[1];
	send_fds[1] = b[1];
	assert_int_equal(myr_msg_send(sv[0], MYR_MSG_CMD, 1, payload, 6, send_fds, 2), 0);
	assert_int_equal(myr_msg_send(sv[0], MYR_MSG_CMD, 2, payload, 6, send_fds, 2), 0);
	close(a[1]);
	close(b[1]);

	/* room for one fd: the second is closed, not leaked */
	assert_int_equal(myr_msg_recv(sv[1], &h, &p, fds, &n_fds), 0);
	assert_int_equal(h.seq, 1);
	free(p);
	assert_int_equal(n_fds, 1);
	/* no room at all */
	assert_int_equal(myr_msg_recv(sv[1], &h, &p, NULL, NULL), 0);
	assert_int_equal(h.seq, 2);
	free(p);

	expect_eof(b[0]);
	close(fds[0]);
	expect_eof(a[0]);
	close(a[0]);
	close(b[0]);

	/* more fds than a message may carry */
	assert_int_equal(myr_msg_send(sv[0], MYR_MSG_CMD, 3, payload, 6, send_fds, MYR_FDS_MAX + 1),
			 -EINVAL);
}

static void
msg_recv_bad_header(void **state)
{
	int *sv = *state;
	struct myr_msg_hdr h = hdr(MYR_MSG_CMD, 6), got;
	unsigned int n_fds = 4;
	int fds[4], a[2];
	void *p = &h;

	assert_int_equal(pipe(a), 0);
	h.magic = 0x12345678;
	assert_int_equal(write(sv[0], &h, sizeof(h)), sizeof(h));
	assert_int_equal(myr_msg_recv(sv[1], &got, &p, fds, &n_fds), -EPROTO);
	assert_null(p);
	assert_int_equal(n_fds, 0);

	h = hdr(MYR_MSG_CMD, 6);
	h.version = 2;
	assert_int_equal(write(sv[0], &h, sizeof(h)), sizeof(h));
	assert_int_equal(myr_msg_recv(sv[1], &got, &p, NULL, NULL), -EPROTO);

	h = hdr(99, 6);
	assert_int_equal(write(sv[0], &h, sizeof(h)), sizeof(h));
	assert_int_equal(myr_msg_recv(sv[1], &got, &p, NULL, NULL), -EBADMSG);

	/* an oversized length is refused before anything is allocated or read */
	h = hdr(MYR_MSG_CMD, MYR_CMD_MAX + 1);
	assert_int_equal(write(sv[0], &h, sizeof(h)), sizeof(h));
	assert_int_equal(myr_msg_recv(sv[1], &got, &p, NULL, NULL), -EMSGSIZE);

	/* fds that came with a rejected message are closed */
	assert_int_equal(myr_msg_send(sv[0], 77, 1, NULL, 0, &a[1], 1), 0);
	close(a[1]);
	n_fds = 4;
	assert_int_equal(myr_msg_recv(sv[1], &got, &p, fds, &n_fds), -EBADMSG);
	assert_int_equal(n_fds, 0);
	expect_eof(a[0]);
	close(a[0]);
}

static void
msg_recv_closed(void **state)
{
	int *sv = *state;
	struct myr_msg_hdr h = hdr(MYR_MSG_CMD, 6), got;
	void *p = &h;

	/* orderly close between messages */
	close(sv[0]);
	sv[0] = -1;
	assert_int_equal(myr_msg_recv(sv[1], &got, &p, NULL, NULL), -ECONNRESET);
	assert_null(p);
	/* and sending to a closed peer fails instead of raising SIGPIPE */
	assert_int_equal(myr_msg_send(sv[1], MYR_MSG_CMD, 1, "\1\0\0\0x", 6, NULL, 0), -EPIPE);
	close(sv[1]);

	/* close in the middle of the header */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(write(sv[0], &h, 5), 5);
	close(sv[0]);
	sv[0] = -1;
	assert_int_equal(myr_msg_recv(sv[1], &got, &p, NULL, NULL), -ECONNRESET);
	close(sv[1]);

	/* close in the middle of the payload */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(write(sv[0], &h, sizeof(h)), sizeof(h));
	assert_int_equal(write(sv[0], "\1\0\0", 3), 3);
	close(sv[0]);
	sv[0] = -1;
	p = &h;
	assert_int_equal(myr_msg_recv(sv[1], &got, &p, NULL, NULL), -ECONNRESET);
	assert_null(p);
}

static void
ctl_connect(void **state)
{
	char dir[] = "/tmp/myr_proto_test.XXXXXX", path[sizeof(dir) + 16], lng[200];
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int l, c;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sock", dir);
	assert_int_equal(myr_ctl_connect(path), -ENOENT);

	l = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(l >= 0);
	strcpy(a.sun_path, path);
	assert_int_equal(bind(l, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(l, 1), 0);
	c = myr_ctl_connect(path);
	assert_true(c >= 0);
	assert_true(fcntl(c, F_GETFD) & FD_CLOEXEC);
	close(c);
	close(l);
	unlink(path);
	rmdir(dir);

	memset(lng, 'x', sizeof(lng) - 1);
	lng[sizeof(lng) - 1] = '\0';
	assert_int_equal(myr_ctl_connect(lng), -ENAMETOOLONG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hdr_check_magic_version_type),
		cmocka_unit_test(hdr_check_lengths),
		cmocka_unit_test(cmd_round_trip),
		cmocka_unit_test(cmd_encode_limits),
		cmocka_unit_test(cmd_decode_malformed),
		cmocka_unit_test(name_valid),
		cmocka_unit_test(hello_check),
		cmocka_unit_test_setup_teardown(msg_cmd_and_reply, pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(msg_large_reply, pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(msg_pass_fds, pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(msg_extra_fds_closed, pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(msg_recv_bad_header, pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(msg_recv_closed, pair_setup, pair_teardown),
		cmocka_unit_test(ctl_connect),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
