/* SPDX-License-Identifier: BSD-3-Clause */
/* The EAL arguments the switch runs with (switch.h, sw_eal_args). */
#include <stdlib.h>
#include <string.h>

#include "switch.h"

static bool
is_allow_list(const char *a)
{
	return strcmp(a, "-a") == 0 || strncmp(a, "--allow", 7) == 0 ||
	       (strncmp(a, "-a", 2) == 0 && a[2] != '\0') || strcmp(a, "-w") == 0 ||
	       strncmp(a, "--pci-whitelist", 15) == 0;
}

/*
 * EAL's arguments: those before "--", plus --single-file-segments (NFs map one fd per
 * memory list) and --no-pci unless an allow-list names the PCI devices to take: with
 * none, EAL would probe every PCI device, the machine's own NIC included.
 */
char **
sw_eal_args(int argc, char **argv, int *n)
{
	char **a = calloc(argc + 3, sizeof(*a));
	bool single = false, pci_named = false;
	int i, j = 0;

	if (a == NULL)
		return NULL;
	for (i = 0; i < argc && strcmp(argv[i], "--") != 0; i++) {
		single |= strcmp(argv[i], "--single-file-segments") == 0;
		pci_named |= strcmp(argv[i], "--no-pci") == 0 || is_allow_list(argv[i]);
		a[j++] = argv[i];
	}
	if (!single)
		a[j++] = (char *)(uintptr_t) "--single-file-segments";
	if (!pci_named)
		a[j++] = (char *)(uintptr_t) "--no-pci";
	*n = j;
	return a;
}
