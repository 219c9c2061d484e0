/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the command interpreter and the registry behind it: what a command
 * accepts, what it refuses and why, and that a refused command changes nothing. The
 * real control plane runs without EAL (switch/test_env.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../test_env.h"

static char reply[65536];

static int
setup(void **state)
{
	(void)state;
	test_env_init(8, 64, 1024);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	test_env_fini();
	return 0;
}

/* after each test, whatever it left (also when it failed half-way) */
static int
reset(void **state)
{
	(void)state;
	test_env_reset();
	return 0;
}

static void
ok(const char *line)
{
	if (test_cmd(reply, sizeof(reply), line) < 0)
		fail_msg("'%s' failed: %s", line, reply);
}

/* The command fails with err, its message contains what, and nothing changed. */
static void
refused(const char *line, int err, const char *what)
{
	static char before[2 * sizeof(reply)], after[2 * sizeof(reply)];
	int ret;

	ok("--json tenant list");
	snprintf(before, sizeof(before), "%s", reply);
	ok("--json nf list");
	snprintf(before + strlen(before), sizeof(before) - strlen(before), "%s", reply);
	ret = test_cmd(reply, sizeof(reply), line);
	if (ret != err || strstr(reply, what) == NULL)
		fail_msg("'%s': %d '%s', expected %d '%s'", line, ret, reply, err, what);
	ok("--json tenant list");
	snprintf(after, sizeof(after), "%s", reply);
	ok("--json nf list");
	snprintf(after + strlen(after), sizeof(after) - strlen(after), "%s", reply);
	if (strcmp(before, after) != 0)
		fail_msg("'%s' changed the registry: %s -> %s", line, before, after);
}

static void
tenant_commands(void **state)
{
	(void)state;
	ok("tenant add t1 --mac 02:00:00:00:00:01,02:00:00:00:00:02 --port 1");
	ok("--json tenant list t1");
	assert_non_null(strstr(reply, "\"macs\":[\"02:00:00:00:00:01\",\"02:00:00:00:00:02\"]"));
	assert_non_null(strstr(reply, "\"port\":1"));
	refused("tenant add t1 --mac 02:00:00:00:00:09", -EEXIST, "exists");
	refused("tenant add t2 --mac 02:00:00:00:00:02", -EEXIST, "belongs to tenant t1");
	refused("tenant add t2 --mac 02:00:00:00:00:03,02:00:00:00:00:03", -EINVAL, "twice");
	refused("tenant add t2 --mac 01:00:5e:00:00:01", -EINVAL, "multicast");
	refused("tenant add t2 --mac 00:00:00:00:00:00", -EINVAL, "not a host");
	refused("tenant add t2 --mac 02:00:00:00:00:-1", -EINVAL, "invalid MAC");
	refused("tenant add t2 --mac 02:00:00:00:00:0x", -EINVAL, "invalid MAC");
	refused("tenant add t2 --mac 2:00:00:00:00:01", -EINVAL, "invalid MAC");
	refused("tenant add t2 --mac 02:00:00:00:00:01:", -EINVAL, "invalid MAC");
	refused("tenant add t2 --mac 02:00:00:00:00:04 --port 2", -ENODEV, "no port");
	refused("tenant add t2 --mac 02:00:00:00:00:04 --port port9", -ENODEV, "no port");
	refused("tenant add t2 --mac", -EINVAL, "needs a value");
	refused("tenant add t2", -EINVAL, "--mac is required");
	refused("tenant add t/2 --mac 02:00:00:00:00:04", -EINVAL, "invalid tenant name");
	/* a name never looks like an option */
	refused("tenant add --mac 02:00:00:00:00:04", -EINVAL, "invalid tenant name");
	refused("tenant add -t2 --mac 02:00:00:00:00:04", -EINVAL, "invalid tenant name");
	refused("tenant add .t2 --mac 02:00:00:00:00:04", -EINVAL, "invalid tenant name");
	refused("tenant list t1 extra", -EINVAL, "usage");
	refused("tenant add t2 --mac 02:00:00:00:00:04 --bogus 1", -EINVAL, "unknown option");
	refused("tenant del nosuch", -ENOENT, "no tenant");
	refused("tenant del t1 extra", -EINVAL, "usage");
	/* a port by name, as port list shows it */
	ok("tenant add t2 --mac 02:00:00:00:00:04 --port port1");
	ok("tenant del t2");
	ok("tenant del t1");
	ok("--json tenant list");
	assert_string_equal(reply, "[]\n");
}

static void
nf_commands(void **state)
{
	(void)state;
	ok("tenant add t1 --mac 02:00:00:00:00:01");
	ok("nf add a --tenant t1");
	ok("nf add b --tenant t1 --transport block --pos 0");
	ok("--json tenant list t1");
	assert_non_null(strstr(reply, "\"chain\":[\"b\",\"a\"]"));
	refused("nf add a --tenant t1", -EEXIST, "exists");
	refused("nf add c --tenant nosuch", -ENOENT, "no tenant");
	refused("nf add c", -EINVAL, "--tenant is required");
	refused("nf add c --tenant t1 --transport teleport", -EINVAL, "unknown transport");
	refused("nf add c --tenant t1 --pos x", -EINVAL, "invalid position");
	refused("nf add c --tenant t1 --pos 010x", -EINVAL, "invalid position");
	refused("nf add c --tenant t1 --pos -1", -EINVAL, "invalid position");
	refused("nf add c --tenant t1 --pos 3", -EINVAL, "past the end"); /* a 2-NF chain */
	refused("nf add c --tenant t1 --pos 010x", -EINVAL, "invalid position");
	refused("nf add c --tenant t1 --no-wait", -EINVAL, "--no-wait is for --exec");
	refused("nf add c --tenant t1 --exec 'unterminated", -EINVAL, "invalid --exec");
	/* a program that cannot be started: refused, and the NF is not kept */
	refused("nf add c --tenant t1 --exec /bin/true", -EACCES, "cannot start");
	assert_int_equal(test_env.n_spawned, 1);
	refused("nf del nosuch", -ENOENT, "no NF");
	refused("nf start a", -EINVAL, "no program");

	/* settings are the transport's: a blocking NF has them, a polling one not */
	ok("nf set b --wake-batch 16 --wake-timeout 500");
	ok("--json nf list");
	assert_non_null(strstr(reply, "\"wake_batch\":16,\"wake_timeout_us\":500"));
	refused("nf set a --wake-batch 16", -EINVAL, "has no setting --wake-batch");
	refused("nf set b --wake-batch 64", -EINVAL, "1..63"); /* a ring of 64 holds 63 */
	refused("nf set b --wake-batch 0", -EINVAL, "1..63");
	refused("nf set b --wake-batch 16 --wake-timeout 0", -EINVAL, "1..10000000");
	refused("nf set b --wake-timeout 10000001", -EINVAL, "1..10000000");
	refused("nf set b --wake-batch", -EINVAL, "needs a value");
	refused("nf set b", -EINVAL, "usage");
	refused("nf set b wake-batch 3", -EINVAL, "expected an option");
	refused("nf set nosuch --wake-batch 3", -ENOENT, "no NF");
	ok("--json nf list");
	assert_non_null(strstr(reply, "\"wake_batch\":16,\"wake_timeout_us\":500"));
	/* listed with their kind's columns only */
	assert_non_null(strstr(reply, "\"name\":\"a\",\"tenant\":\"t1\",\"state\":\"down\","
				      "\"transport\":\"poll\""));
	ok("nf del a");
	ok("--json tenant list t1");
	assert_non_null(strstr(reply, "\"chain\":[\"b\"]"));
	ok("tenant del t1");
	ok("--json nf list");
	assert_string_equal(reply, "[]\n");
}

static void
commands(void **state)
{
	(void)state;
	refused("frobnicate", -EINVAL, "unknown command");
	refused("tenant", -EINVAL, "unknown command");
	refused("--json", -EINVAL, "no command");
	refused("stats --bogus", -EINVAL, "unknown option");
	refused("log level loud", -EINVAL, "unknown level");
	refused("port list extra", -EINVAL, "unknown option");
	refused("help me", -EINVAL, "unknown option");
	refused("log level debug myriad.* extra", -EINVAL, "usage");
	ok("help");
	assert_non_null(strstr(reply, "nf set NAME --wake-batch N"));
	assert_non_null(strstr(reply, "transports (nf add --transport): poll, block"));
	ok("--json port list");
	assert_non_null(strstr(reply, "{\"index\":1,\"name\":\"port1\""));
}

/* An NF declared and attached is listed with its slot; when it goes, the slot is free. */
static void
attach_and_go(void **state)
{
	struct nf *a;

	(void)state;
	ok("tenant add t1 --mac 02:00:00:00:00:01");
	ok("nf add a --tenant t1 --transport block");
	a = test_attach("a");
	assert_non_null(a);
	assert_int_equal(nf_slots_used(), 1);
	ok("--json nf list");
	assert_non_null(strstr(reply, "\"state\":\"up\",\"transport\":\"block\",\"slot\":0"));
	/* a registration for a declared NF of another kind is refused */
	{
		struct myr_welcome w;
		int fds[MYR_FDS_MAX];
		unsigned int n = 0;

		enum myr_transport block;

		assert_int_equal(myr_transport_parse("block", &block), 0);
		ok("nf add p --tenant t1");
		assert_int_equal(nf_attach(nf_lookup("p"), NULL, 1, block, &w, fds, &n), -EINVAL);
		assert_non_null(strstr(ctl_errmsg(), "declared with transport poll"));
		assert_int_equal(nf_slots_used(), 1);
	}
	ok("nf del a");
	test_env_settle(); /* its process does not leave: killed at the stop timeout */
	assert_int_equal(nf_slots_used(), 0);
	ok("tenant del t1");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(tenant_commands, reset),
		cmocka_unit_test_teardown(nf_commands, reset),
		cmocka_unit_test_teardown(commands, reset),
		cmocka_unit_test_teardown(attach_and_go, reset),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
