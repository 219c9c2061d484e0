/* SPDX-License-Identifier: BSD-3-Clause */
/* The switch's one global state and the names of its drop reasons (switch.h). */
#include "switch.h"

struct sw sw;
int sw_logtype;

const char *const sw_drop_names[SW_DROP_MAX] = {
#define X(id, name, help) [SW_DROP_##id] = name,
	SW_DROP_REASONS(X)
#undef X
};
const char *const sw_drop_help[SW_DROP_MAX] = {
#define X(id, name, help) [SW_DROP_##id] = help,
	SW_DROP_REASONS(X)
#undef X
};
