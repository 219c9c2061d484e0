/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --idle-poll CPUS: keep the NFs' cores from halting when they have nothing to run.
 *
 * A blocking NF is woken by an interrupt to its core. If that core is idle, it halted,
 * and in a virtual machine a halted CPU is a thread of the host that must be woken and
 * scheduled before the interrupt lands: on these guests that made the wake-to-run of
 * an NF 130-200 us, with 100 NFs and an idle NF core (doc/wakeups.md), and the
 * FUTEX_WAKE that sends the interrupt cost the data path 9 us. A core that never
 * halts takes the interrupt at once: 20 us and 3 us, and one core takes 3x the
 * wake-ups a second. What halting saves, power and a host's time for its other guests,
 * is what this spends. It is the effect of idle=poll or of a guest's halt-polling,
 * kept to the cores named and to the switch's lifetime.
 *
 * Each named CPU gets a thread of the lowest class (SCHED_IDLE), pinned to it, that
 * spins: the kernel runs it only when nothing else on that core can run, and any task
 * woken there preempts it at once. It never touches shared memory.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_lcore.h>
#include <rte_pause.h>

#include "switch.h"

static pthread_t *threads;
static unsigned int n_threads;
static bool stop;

static void *
idle_main(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED))
		rte_pause();
	return NULL;
}

/* "1", "1,3", "2-5": @return 0, or -EINVAL with the message printed */
int
sw_idle_parse(const char *s, rte_cpuset_t *cpus)
{
	const char *p = s;

	CPU_ZERO(cpus);
	while (*p != '\0') {
		unsigned long a, b;
		char *end;

		if (*p < '0' || *p > '9')
			goto bad;
		a = b = strtoul(p, &end, 10);
		if (*end == '-') {
			if (end[1] < '0' || end[1] > '9')
				goto bad;
			b = strtoul(end + 1, &end, 10);
		}
		if (b < a || b >= CPU_SETSIZE || (*end != ',' && *end != '\0') ||
		    (*end == ',' && end[1] == '\0'))
			goto bad;
		for (; a <= b; a++)
			CPU_SET(a, cpus);
		p = *end == ',' ? end + 1 : end;
	}
	if (CPU_COUNT(cpus) > 0)
		return 0;
bad:
	fprintf(stderr,
		"myriad-switch: --idle-poll: a list of CPUs (e.g. 1 or 1,3 or 2-5), not '%s'\n", s);
	return -EINVAL;
}

int
sw_idle_start(void)
{
	const rte_cpuset_t *cpus = &sw.conf.idle_cpus;
	long ncpus = sysconf(_SC_NPROCESSORS_CONF);
	unsigned int lcore, cpu;

	if (CPU_COUNT(cpus) == 0)
		return 0;
	RTE_LCORE_FOREACH(lcore)
	{
		if (CPU_ISSET(rte_lcore_to_cpu_id((int)lcore), cpus)) {
			LOG(ERR, "--idle-poll: CPU %u runs the data path, which never idles",
			    rte_lcore_to_cpu_id((int)lcore));
			return -EINVAL;
		}
	}
	threads = calloc((size_t)CPU_COUNT(cpus), sizeof(*threads));
	if (threads == NULL)
		return -ENOMEM;
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		struct sched_param sp = { .sched_priority = 0 };
		pthread_attr_t attr;
		rte_cpuset_t one;
		char name[16];
		int ret;

		if (!CPU_ISSET(cpu, cpus))
			continue;
		if ((long)cpu >= ncpus) {
			LOG(ERR, "--idle-poll: no CPU %u (this machine has %ld)", cpu, ncpus);
			return -EINVAL;
		}
		/* born on its CPU: spinning anywhere else, even for a moment, would take
		 * the data path's core; then in the lowest class, which glibc's attributes
		 * do not offer, or it would take the NFs' */
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		ret = pthread_attr_init(&attr);
		if (ret == 0)
			ret = pthread_attr_setaffinity_np(&attr, sizeof(one), &one);
		if (ret == 0)
			ret = pthread_create(&threads[n_threads], &attr, idle_main, NULL);
		pthread_attr_destroy(&attr);
		if (ret == 0)
			n_threads++;
		if (ret == 0)
			ret = pthread_setschedparam(threads[n_threads - 1], SCHED_IDLE, &sp);
		if (ret != 0) {
			LOG(ERR, "--idle-poll: CPU %u: %s", cpu, strerror(ret));
			return -ret;
		}
		snprintf(name, sizeof(name), "myr-idle-%u", cpu);
		pthread_setname_np(threads[n_threads - 1], name);
	}
	LOG(INFO, "--idle-poll: %u CPUs kept from halting", n_threads);
	return 0;
}

void
sw_idle_stop(void)
{
	unsigned int i;

	__atomic_store_n(&stop, true, __ATOMIC_RELAXED);
	for (i = 0; i < n_threads; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	threads = NULL;
	n_threads = 0;
}
