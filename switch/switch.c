/* SPDX-License-Identifier: BSD-3-Clause */
/* The switch's one global state, the names of its drop reasons, and what its threads
 * share (switch.h). */
#include <pthread.h>
#include <sched.h>
#include <string.h>

#include <rte_lcore.h>

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

/*
 * A thread of the switch that serves the NFs (the control thread, the waker) runs on
 * their core (--ctl-core, else the EAL's choice for control threads) as a real-time
 * thread: at normal priority, thousands of runnable NFs would each get a turn before
 * it does. It only ever has little to do, and sleeps otherwise.
 */
void
sw_thread_for_nfs(pthread_t t, const char *what)
{
	struct sched_param sp = { .sched_priority = 1 };
	int ret = pthread_setschedparam(t, SCHED_FIFO, &sp);

	if (ret != 0)
		LOG(WARNING, "%s thread stays at normal priority: %s", what, strerror(ret));
	if (sw.conf.ctl_core >= 0) {
		rte_cpuset_t cpus;

		CPU_ZERO(&cpus);
		CPU_SET(sw.conf.ctl_core, &cpus);
		pthread_setaffinity_np(t, sizeof(cpus), &cpus);
	}
}
