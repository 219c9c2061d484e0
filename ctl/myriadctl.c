/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * myriadctl, the CLI: it sends one command to the switch's control socket and prints the
 * reply. The switch parses, executes and formats (text or JSON); this program only
 * transports, so it never needs to change when a command is added.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <myriad/names.h>
#include <myriad/proto.h>

#define DEFAULT_TIMEOUT 10 /* seconds: a loaded switch answers in well under a second */

static void
usage(FILE *f)
{
	fprintf(f,
		"Usage: myriadctl [-s|--socket PATH] [--json] [-t|--timeout SEC]\n"
		"                 COMMAND [ARGS...] | -f FILE\n"
		"\n"
		"Sends COMMAND to a running myriad-switch and prints its reply.\n"
		"\n"
		"Options:\n"
		"  -s, --socket PATH   control socket (default: $MYRIAD_SOCKET, else %s)\n"
		"      --json          ask the switch for JSON instead of text\n"
		"  -f, --file FILE     run the commands of FILE ('-': stdin), one per line,\n"
		"                      on one connection; stop at the first that fails\n"
		"  -t, --timeout SEC   wait at most SEC seconds for the reply, 0 for ever\n"
		"                      (default: %d)\n"
		"  -h, --help          print this help\n"
		"\n"
		"Commands manage tenants, chains, NFs, ports, statistics and log levels; the\n"
		"switch defines them, so run 'myriadctl help' for the commands of the running\n"
		"switch. Examples:\n"
		"  myriadctl help\n"
		"  myriadctl stats\n"
		"  myriadctl --json stats\n"
		"  myriadctl tenant add t1 --mac 02:00:00:00:00:01 --port 1\n"
		"\n"
		"Exit status: 0 if the command succeeded, 1 otherwise (the switch's error is\n"
		"printed on standard error).\n",
		MYR_DEFAULT_SOCKET, DEFAULT_TIMEOUT);
}

static int
parse_timeout(const char *s, int *sec)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0 || v > INT_MAX)
		return -EINVAL;
	*sec = v;
	return 0;
}

/* Print a successful reply's text; make sure it ends the line. */
static int
print_text(const char *text, size_t len)
{
	if (len > 0 && fwrite(text, 1, len, stdout) != len)
		return -1;
	if (len > 0 && text[len - 1] != '\n' && putchar('\n') == EOF)
		return -1;
	return fflush(stdout) == 0 ? 0 : -1;
}

static void
print_error(int32_t status, const char *text, size_t len)
{
	/* the switch may or may not end its message with a newline: print exactly one */
	while (len > 0 && text[len - 1] == '\n')
		len--;
	fputs("myriadctl: ", stderr);
	if (len > 0)
		fwrite(text, 1, len, stderr);
	else
		fputs(strerror(-status), stderr);
	fputc('\n', stderr);
}

/*
 * The switch opens the files a command names (nf add/set --bpf) in its own directory:
 * name them from ours. The buffers live until the next command.
 */
static void
absolute_paths(int n, char **cmd_argv)
{
	static char abs[4][PATH_MAX + 1];
	char cwd[PATH_MAX];
	int i, k = 0;

	for (i = 0; i + 1 < n && k < (int)(sizeof(abs) / sizeof(abs[0])); i++) {
		if (strcmp(cmd_argv[i], "--bpf") != 0 || cmd_argv[i + 1][0] == '/' ||
		    getcwd(cwd, sizeof(cwd)) == NULL)
			continue;
		if (snprintf(abs[k], sizeof(abs[k]), "%s/%s", cwd, cmd_argv[i + 1]) <
		    (int)sizeof(abs[k]))
			cmd_argv[i + 1] = abs[k++];
	}
}

/*
 * Send one command on fd and print its reply.
 * @return 0 if the switch says it succeeded, 1 otherwise (already reported).
 */
static int
run_one(int fd, const char *path, int timeout, uint32_t seq, int n, char **cmd_argv)
{
	char buf[MYR_CMD_MAX];
	struct myr_msg_hdr h;
	int32_t status;
	void *reply;
	int len, ret;

	absolute_paths(n, cmd_argv);
	len = myr_cmd_encode(buf, sizeof(buf), n, cmd_argv);
	if (len < 0) {
		fprintf(stderr, "myriadctl: command too long\n");
		return 1;
	}
	ret = myr_msg_send(fd, MYR_MSG_CMD, seq, buf, len, NULL, 0);
	if (ret < 0) {
		fprintf(stderr, "myriadctl: cannot send to %s: %s\n", path, strerror(-ret));
		return 1;
	}
	ret = myr_msg_recv(fd, &h, &reply, NULL, NULL);
	if (ret == -EAGAIN || ret == -EWOULDBLOCK) {
		fprintf(stderr, "myriadctl: no reply from %s within %d s\n", path, timeout);
		return 1;
	}
	if (ret == -ECONNRESET) {
		fprintf(stderr, "myriadctl: %s closed the connection without a reply\n", path);
		return 1;
	}
	if (ret < 0) {
		fprintf(stderr, "myriadctl: bad reply from %s: %s\n", path, strerror(-ret));
		return 1;
	}
	if (h.type != MYR_MSG_REPLY || h.seq != seq) {
		fprintf(stderr,
			"myriadctl: bad reply from %s: type %u seq %u, expected type %u seq %u\n",
			path, h.type, h.seq, MYR_MSG_REPLY, seq);
		free(reply);
		return 1;
	}
	/* myr_msg_hdr_check guarantees a REPLY holds at least the status */
	memcpy(&status, reply, sizeof(status));
	ret = 0;
	if (status > 0) {
		fprintf(stderr, "myriadctl: bad reply from %s: status %d\n", path, (int)status);
		ret = 1;
	} else if (status < 0) {
		print_error(status, (char *)reply + sizeof(status), h.len - sizeof(status));
		ret = 1;
	} else if (print_text((char *)reply + sizeof(status), h.len - sizeof(status)) < 0) {
		fprintf(stderr, "myriadctl: cannot write the reply: %s\n", strerror(errno));
		ret = 1;
	}
	free(reply);
	return ret;
}

/* Run every command of a file (or stdin) on one connection; stop at the first error. */
static int
run_batch(int fd, const char *path, int timeout, int json, const char *file)
{
	static char json_arg[] = "--json";
	char *cmd_argv[MYR_CMD_ARGS_MAX + 1], *line = NULL;
	FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
	uint32_t seq = (uint32_t)getpid();
	unsigned int lineno = 0;
	size_t cap = 0;
	int ret = 0;

	if (f == NULL) {
		fprintf(stderr, "myriadctl: %s: %s\n", file, strerror(errno));
		return 1;
	}
	while (ret == 0 && getline(&line, &cap, f) >= 0) {
		int n = json ? 1 : 0, w;

		lineno++;
		cmd_argv[0] = json_arg;
		w = myr_split_words(line, cmd_argv + n, MYR_CMD_ARGS_MAX - n);
		if (w < 0) {
			fprintf(stderr, "myriadctl: %s:%u: unterminated quote or too many words\n",
				file, lineno);
			ret = 1;
		} else if (w > 0) {
			ret = run_one(fd, path, timeout, seq++, n + w, cmd_argv);
			if (ret != 0)
				fprintf(stderr, "myriadctl: %s:%u: command failed\n", file, lineno);
		}
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return ret;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "file", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static char json_arg[] = "--json";
	char *cmd_argv[MYR_CMD_ARGS_MAX + 1];
	const char *path = getenv("MYRIAD_SOCKET"), *batch = NULL;
	int timeout = DEFAULT_TIMEOUT, json = 0;
	int c, fd, n, ret;

	if (path == NULL || path[0] == '\0')
		path = MYR_DEFAULT_SOCKET;
	/* '+': stop at COMMAND, so its own options (--mac ...) are left to the switch */
	while ((c = getopt_long(argc, argv, "+s:t:f:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			path = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'f':
			batch = optarg;
			break;
		case 't':
			if (parse_timeout(optarg, &timeout) < 0) {
				fprintf(stderr, "myriadctl: bad timeout '%s': seconds expected\n",
					optarg);
				return 1;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "Try 'myriadctl --help'.\n");
			return 1;
		}
	}
	if ((optind >= argc) == (batch == NULL)) {
		usage(stderr);
		return 1;
	}

	n = 0;
	if (json)
		cmd_argv[n++] = json_arg;
	if (argc - optind > MYR_CMD_ARGS_MAX - n) {
		fprintf(stderr, "myriadctl: command too long\n");
		return 1;
	}
	while (optind < argc)
		cmd_argv[n++] = argv[optind++];

	fd = myr_ctl_connect(path);
	if (fd < 0) {
		fprintf(stderr, "myriadctl: cannot connect to %s: %s (is myriad-switch running?)\n",
			path, strerror(-fd));
		return 1;
	}
	if (timeout > 0) {
		struct timeval tv = { .tv_sec = timeout };

		/* one deadline per call, not for the whole reply: enough to never hang */
		if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
		    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0) {
			fprintf(stderr, "myriadctl: setsockopt: %s\n", strerror(errno));
			close(fd);
			return 1;
		}
	}
	if (batch != NULL)
		ret = run_batch(fd, path, timeout, json, batch);
	else
		ret = run_one(fd, path, timeout, (uint32_t)getpid(), n, cmd_argv);
	close(fd);
	return ret;
}
