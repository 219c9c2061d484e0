/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target of the control socket's connection handling (switch/control/conn.c):
 * the input is what a peer writes on its connection, in pieces (the first byte of the
 * input sets the piece size), on the real control plane without EAL (switch/test_env.h),
 * with a tenant holding a polling and a blocking NF declared. Commands and registrations
 * run as they would; replies are read back as a slow or fast peer would. The registry
 * must stay consistent and the connection object must be freed exactly once (ASan).
 *
 * Run the real fuzzer as fuzz_cmd.c says, with this file instead; corpus
 * tests/fuzz/corpus/conn. Under gcc, replay.c runs it over the corpus (fuzz_conn_corpus).
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "test_env.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)              \
	do {                     \
		if (!(cond))     \
			abort(); \
	} while (0)

static void
run(const char *line)
{
	char reply[256];

	if (test_cmd(reply, sizeof(reply), line) < 0) {
		fprintf(stderr, "fuzz_conn: '%s' failed: %s\n", line, reply);
		abort();
	}
}

static void
drain(int fd)
{
	char buf[65536];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct ucred cred = { .pid = getpid(), .uid = getuid(), .gid = getgid() };
	size_t piece, off;
	struct conn *c;
	int sv[2];

	if (!ready) {
		test_env_init(8, 64, 1024);
		ready = true;
	}
	if (size == 0)
		return 0;
	piece = 1 + data[0] % 64 * 37; /* 1..2332 bytes a write */
	data++;
	size--;
	run("tenant add t1 --mac 02:00:00:00:00:01 --port 1");
	run("nf add n1 --tenant t1");
	run("nf add n2 --tenant t1 --transport block");
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0);
	c = conn_create(sv[0], &cred, size % 2 == 0, NULL);
	CHECK(c != NULL);
	for (off = 0; off < size; off += piece) {
		size_t n = size - off < piece ? size - off : piece;

		if (send(sv[1], data + off, n, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
			break;
		conn_poll(c, EPOLLIN);
		conn_run_ready();
		/* a peer that reads its replies only every other time */
		if ((off / piece) % 2 == 1) {
			drain(sv[1]);
			conn_poll(c, EPOLLOUT);
			conn_run_ready();
		}
		conn_reap();
		if (conn_count() == 0)
			break; /* the switch closed it */
	}
	close(sv[1]);
	if (conn_count() > 0) {
		conn_poll(c, EPOLLIN | EPOLLHUP); /* EOF: the peer went away */
		conn_run_ready();
	}
	conn_reap();
	CHECK(conn_count() == 0);
	test_env_reset();
	CHECK(TAILQ_EMPTY(&tenants) && TAILQ_EMPTY(&nfs) && nf_slots_used() == 0);
	return 0;
}
