/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target of the control-protocol codec: the input is the byte stream a client
 * could write to the switch's control socket.
 *
 * Run the real fuzzer (clang with libFuzzer), from the top of the tree:
 *   clang -g -O1 -fsanitize=fuzzer,address -Iinclude tests/fuzz/fuzz_proto.c lib/proto.c \
 *     -o /tmp/fuzz_proto && /tmp/fuzz_proto -max_total_time=60 tests/fuzz/corpus/proto
 * libFuzzer writes every new input into the first directory given: to keep the tree clean,
 * name a scratch directory first (/tmp/fuzz_proto ... /tmp/fuzz_new tests/fuzz/corpus/proto)
 * and copy only a few small, interesting inputs into the corpus as found_* files
 * (tests/fuzz/mkcorpus.py writes the seeds). Under gcc, tests/fuzz/replay.c runs this
 * target over the corpus in the normal test run (test fuzz_proto_corpus).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <myriad/proto.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant of the codec is broken: crash so that the fuzzer keeps the input. */
#define CHECK(cond)              \
	do {                     \
		if (!(cond))     \
			abort(); \
	} while (0)

/* What the server does with a CMD payload; a decoded command re-encodes to the same bytes. */
static int
cmd_payload(const void *payload, size_t len)
{
	const char *argv[MYR_CMD_ARGS_MAX];
	char buf[MYR_CMD_MAX];
	int argc, i, n;

	argc = myr_cmd_decode(payload, len, argv, MYR_CMD_ARGS_MAX);
	if (argc < 0)
		return argc;
	CHECK(argc >= 1 && argc <= MYR_CMD_ARGS_MAX);
	for (i = 0; i < argc; i++)
		CHECK(argv[i] >= (const char *)payload &&
		      argv[i] + strlen(argv[i]) < (const char *)payload + len);
	/* argv is only read: myr_cmd_encode takes char *const[] like main()'s argv */
	n = myr_cmd_encode(buf, sizeof(buf), argc, (char *const *)(uintptr_t)argv);
	CHECK(n >= 0 && (size_t)n == len && memcmp(buf, payload, len) == 0);
	return 0;
}

static int
hello_payload(const void *payload, size_t len)
{
	struct myr_hello h;
	int ret = myr_hello_check(payload, len);

	if (ret < 0)
		return ret;
	memcpy(&h, payload, sizeof(h));
	CHECK(myr_name_valid(h.name) && h.transport < MYR_T_MAX && h.flags == 0);
	CHECK(h.tenant[0] == '\0' || myr_name_valid(h.tenant));
	return 0;
}

/* The text of a reply is len - 4 bytes after the status; nothing more to check. */
static int
reply_payload(const void *payload, size_t len)
{
	int32_t status;

	CHECK(len >= sizeof(status));
	memcpy(&status, payload, sizeof(status));
	return 0;
}

static void
name(const uint8_t *data, size_t size)
{
	char s[MYR_NAME_MAX + 8];
	size_t n = size < sizeof(s) - 1 ? size : sizeof(s) - 1;
	int ok;

	memcpy(s, data, n);
	s[n] = '\0';
	ok = myr_name_valid(s);
	CHECK(ok == 0 || (strlen(s) >= 1 && strlen(s) < MYR_NAME_MAX));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0;

	name(data, size);
	while (size - off >= sizeof(struct myr_msg_hdr)) {
		struct myr_msg_hdr h;
		void *payload;
		int ret;

		memcpy(&h, data + off, sizeof(h));
		off += sizeof(h);
		if (myr_msg_hdr_check(&h) < 0)
			break;
		if (h.len > size - off)
			break; /* the server would wait for the rest */
		/* an exact-size copy, so that the sanitizers see any read past the payload */
		payload = malloc(h.len > 0 ? h.len : 1);
		if (payload == NULL)
			break;
		memcpy(payload, data + off, h.len);
		off += h.len;
		switch (h.type) {
		case MYR_MSG_CMD:
			ret = cmd_payload(payload, h.len);
			break;
		case MYR_MSG_HELLO:
			ret = hello_payload(payload, h.len);
			break;
		case MYR_MSG_REPLY:
			ret = reply_payload(payload, h.len);
			break;
		default:
			ret = -1; /* a WELCOME is never sent to the switch */
			break;
		}
		free(payload);
		if (ret < 0)
			break;
	}
	return 0;
}
