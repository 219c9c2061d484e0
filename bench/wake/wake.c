/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Wake-up primitives measured the way myriad uses them: a waker pinned to one core
 * (the switch's data path) wakes K sleeping processes pinned to the other core (the
 * NFs), one at a time, round-robin. For eventfd, futex, POSIX semaphore and pipe it
 * reports the waker's cost per wake (what the data path pays), the wake-to-run
 * latency, and the wake-ups per second sustained through K sleepers.
 *
 * -t PAGES makes each sleeper write to PAGES distinct pages of its own memory per
 * wake-up, as an NF touches its stack, data and the packets' buffers: in a guest whose
 * hypervisor shadows page tables, what an address-space switch costs grows with it.
 *
 * -a ACTIVE wakes only the first ACTIVE of the K sleepers (the others exist and sleep),
 * which separates the cost of processes existing from the cost of cycling through them.
 * -1 keeps one wake-up outstanding at a time, so the sleepers' core never has a run
 * queue: wakes/s is then 1 / (wake-to-run + run + back to sleep).
 *
 * usage: wake [-k SLEEPERS] [-n WAKES] [-w WAKER_CPU] [-s SLEEPER_CPU] [-t PAGES]
 *             [-a ACTIVE] [-1] [PRIMITIVE...]
 * Prints one JSON object per primitive and K.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <poll.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

enum prim { P_EVENTFD, P_FUTEX, P_SEM, P_PIPE, P_MAX };
static const char *const prim_names[P_MAX] = { "eventfd", "futex", "sem", "pipe" };

/* One sleeper's shared state, a cache line each so sleepers do not disturb each other. */
struct slot {
	uint32_t futex; /* P_FUTEX: bumped by the waker */
	uint32_t stop;
	uint64_t posted;  /* TSC when the waker posted */
	uint64_t runs;    /* wakes the sleeper has handled */
	uint64_t lat_sum; /* sum of post-to-run TSC */
	uint64_t lat_max;
	sem_t sem;
} __attribute__((aligned(64)));

static void
pin(int cpu)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	sched_setaffinity(0, sizeof(s), &s);
}

static int touch_pages;
static int active; /* -a: wake only the first ACTIVE sleepers (0: all of them) */
static int serial; /* -1: one wake-up outstanding at a time (no run queue on the NF core) */

static void
sleeper(enum prim p, struct slot *sl, int efd, int rfd)
{
	uint32_t seen = 0;
	uint64_t v;
	char c;
	volatile char *mem = NULL;

	if (touch_pages > 0) {
		mem = mmap(NULL, (size_t)touch_pages * 4096, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (mem == MAP_FAILED)
			_exit(1);
	}

	for (;;) {
		switch (p) {
		case P_EVENTFD: {
			struct pollfd f = { .fd = efd, .events = POLLIN };

			/* what libmyriad_nf does: poll, then consume */
			poll(&f, 1, -1);
			if (read(efd, &v, sizeof(v)) < 0)
				continue;
			break;
		}
		case P_FUTEX:
			while (__atomic_load_n(&sl->futex, __ATOMIC_ACQUIRE) == seen)
				syscall(SYS_futex, &sl->futex, FUTEX_WAIT, seen, NULL, NULL, 0);
			seen = __atomic_load_n(&sl->futex, __ATOMIC_ACQUIRE);
			break;
		case P_SEM:
			while (sem_wait(&sl->sem) < 0 && errno == EINTR)
				;
			break;
		case P_PIPE:
			if (read(rfd, &c, 1) != 1)
				continue;
			break;
		default:
			break;
		}
		if (__atomic_load_n(&sl->stop, __ATOMIC_ACQUIRE))
			_exit(0);
		for (int t = 0; t < touch_pages; t++)
			mem[(size_t)t * 4096]++;
		uint64_t lat = __rdtsc() - __atomic_load_n(&sl->posted, __ATOMIC_ACQUIRE);

		sl->lat_sum += lat;
		if (lat > sl->lat_max)
			sl->lat_max = lat;
		__atomic_store_n(&sl->runs, sl->runs + 1, __ATOMIC_RELEASE);
	}
}

static void
post(enum prim p, struct slot *sl, int efd, int wfd)
{
	uint64_t one = 1;

	switch (p) {
	case P_EVENTFD:
		if (write(efd, &one, sizeof(one)) < 0)
			perror("write");
		break;
	case P_FUTEX:
		__atomic_fetch_add(&sl->futex, 1, __ATOMIC_RELEASE);
		syscall(SYS_futex, &sl->futex, FUTEX_WAKE, 1, NULL, NULL, 0);
		break;
	case P_SEM:
		sem_post(&sl->sem);
		break;
	case P_PIPE:
		if (write(wfd, "x", 1) != 1)
			perror("write");
		break;
	default:
		break;
	}
}

static double
tsc_hz(void)
{
	struct timespec a, b;
	uint64_t t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &a);
	t0 = __rdtsc();
	usleep(200000);
	clock_gettime(CLOCK_MONOTONIC, &b);
	t1 = __rdtsc();
	return (t1 - t0) / ((b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
}

static void
run(enum prim p, int k, long n, int wcpu, int scpu, double hz)
{
	struct slot *sl = mmap(NULL, sizeof(*sl) * k, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int *efd = calloc(k, sizeof(int)), *pr = calloc(k, sizeof(int)),
	    *pw = calloc(k, sizeof(int));
	pid_t *pids = calloc(k, sizeof(pid_t));
	uint64_t cost = 0, t0, t1, lat_sum = 0, lat_max = 0, *expect = calloc(k, sizeof(uint64_t));
	long i;
	int j;

	memset(sl, 0, sizeof(*sl) * k);
	for (j = 0; j < k; j++) {
		int fds[2];

		sem_init(&sl[j].sem, 1, 0);
		efd[j] = eventfd(0, EFD_NONBLOCK);
		if (pipe(fds) < 0) {
			perror("pipe");
			exit(1);
		}
		pr[j] = fds[0];
		pw[j] = fds[1];
		pids[j] = fork();
		if (pids[j] == 0) {
			pin(scpu);
			sleeper(p, &sl[j], efd[j], pr[j]);
		}
	}
	pin(wcpu);
	usleep(100000 + k * 100); /* let every sleeper reach its wait */
	t0 = __rdtsc();
	int m = active > 0 && active < k ? active : k;

	for (i = 0; i < n; i++) {
		struct slot *s = &sl[i % m];
		uint64_t a;

		/* the target must have handled its previous wake, or wakes would merge */
		while (__atomic_load_n(&s->runs, __ATOMIC_ACQUIRE) != expect[i % m]) {
			if (wcpu == scpu)
				sched_yield(); /* same core: let the sleeper run */
			else
				_mm_pause();
		}
		expect[i % m]++;
		a = __rdtsc();
		__atomic_store_n(&s->posted, a, __ATOMIC_RELEASE);
		post(p, s, efd[i % m], pw[i % m]);
		cost += __rdtsc() - a;
		while (serial && __atomic_load_n(&s->runs, __ATOMIC_ACQUIRE) != expect[i % m])
			_mm_pause();
	}
	for (j = 0; j < k; j++)
		while (__atomic_load_n(&sl[j].runs, __ATOMIC_ACQUIRE) != expect[j])
			sched_yield();
	t1 = __rdtsc();
	for (j = 0; j < k; j++) {
		lat_sum += sl[j].lat_sum;
		if (sl[j].lat_max > lat_max)
			lat_max = sl[j].lat_max;
		__atomic_store_n(&sl[j].stop, 1, __ATOMIC_RELEASE);
		post(p, &sl[j], efd[j], pw[j]);
	}
	for (j = 0; j < k; j++) {
		waitpid(pids[j], NULL, 0);
		close(efd[j]);
		close(pr[j]);
		close(pw[j]);
		sem_destroy(&sl[j].sem);
	}
	printf("{\"primitive\":\"%s\",\"sleepers\":%d,\"wakes\":%ld,\"waker_cpu\":%d,"
	       "\"sleeper_cpu\":%d,\"active\":%d,\"serial\":%d,\"touch_pages\":%d,\"waker_cost_"
	       "us\":%.3f,\"wake_to_run_us\":%.3f,"
	       "\"wake_to_run_max_us\":%.1f,\"wakes_per_s\":%.0f}\n",
	       prim_names[p], k, n, wcpu, scpu, m, serial, touch_pages, cost / (double)n / hz * 1e6,
	       lat_sum / (double)n / hz * 1e6, lat_max / hz * 1e6, n / ((t1 - t0) / hz));
	fflush(stdout);
	munmap(sl, sizeof(*sl) * k);
	free(efd);
	free(pr);
	free(pw);
	free(pids);
	free(expect);
}

int
main(int argc, char **argv)
{
	int k = 1, wcpu = 0, scpu = 1, o, i, any = 0;
	long n = 20000;
	double hz;

	while ((o = getopt(argc, argv, "k:n:w:s:t:a:1")) != -1) {
		switch (o) {
		case 'k':
			k = atoi(optarg);
			break;
		case 'n':
			n = atol(optarg);
			break;
		case 'w':
			wcpu = atoi(optarg);
			break;
		case 's':
			scpu = atoi(optarg);
			break;
		case 't':
			touch_pages = atoi(optarg);
			break;
		case 'a':
			active = atoi(optarg);
			break;
		case '1':
			serial = 1;
			break;
		default:
			fprintf(stderr,
				"usage: %s [-k N] [-n N] [-w CPU] [-s CPU] [-t PAGES] [-a ACTIVE] "
				"[-1]\n"
				"       [primitive...]\n",
				argv[0]);
			return 2;
		}
	}
	if (k < 1 || n < k) {
		fprintf(stderr, "need 1 <= k <= n\n");
		return 2;
	}
	hz = tsc_hz();
	for (i = optind; i < argc; i++) {
		int p;

		for (p = 0; p < P_MAX; p++)
			if (strcmp(argv[i], prim_names[p]) == 0) {
				run(p, k, n, wcpu, scpu, hz);
				any = 1;
			}
	}
	if (!any)
		for (i = 0; i < P_MAX; i++)
			run(i, k, n, wcpu, scpu, hz);
	return 0;
}
