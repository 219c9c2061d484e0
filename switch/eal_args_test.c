/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit test of the EAL arguments the switch runs with: PCI devices only when named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "switch.h"

/* argv strings are writable in main(); these are literals */
#define S(x) ((char *)(uintptr_t)(x))

static bool
has(char **a, int n, const char *arg)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(a[i], arg) == 0)
			return true;
	return false;
}

static void
pci(void **state)
{
	char *none[] = { S("myriad-switch"), S("-l"), S("0"), S("--"), S("--wire"), S("2") };
	char *allow[] = { S("myriad-switch"), S("-a"), S("0000:01:00.0"), S("-l"), S("0") };
	char *allow2[] = { S("myriad-switch"), S("--allow=0000:01:00.0") };
	char *allow3[] = { S("myriad-switch"), S("-a0000:01:00.0") };
	char *block[] = { S("myriad-switch"), S("-b"), S("0000:01:00.0") };
	char *nopci[] = { S("myriad-switch"), S("--no-pci"), S("--single-file-segments") };
	char **a;
	int n;

	(void)state;
	/* nothing named: no PCI probing at all; the switch's own options stay out */
	a = sw_eal_args(6, none, &n);
	assert_true(has(a, n, "--no-pci") && has(a, n, "--single-file-segments"));
	assert_false(has(a, n, "--wire"));
	assert_int_equal(n, 5);
	free(a);
	/* an allow-list names what to take: only that */
	a = sw_eal_args(5, allow, &n);
	assert_false(has(a, n, "--no-pci"));
	free(a);
	a = sw_eal_args(2, allow2, &n);
	assert_false(has(a, n, "--no-pci"));
	free(a);
	a = sw_eal_args(2, allow3, &n);
	assert_false(has(a, n, "--no-pci"));
	free(a);
	/* a block-list names what not to take, so the rest would be probed: no */
	a = sw_eal_args(3, block, &n);
	assert_true(has(a, n, "--no-pci"));
	free(a);
	/* given already: not twice */
	a = sw_eal_args(3, nopci, &n);
	assert_int_equal(n, 3);
	free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(pci) };

	return cmocka_run_group_tests(tests, NULL, NULL);
}
