/* SPDX-License-Identifier: BSD-3-Clause */
/* Replays a fuzz corpus through LLVMFuzzerTestOneInput with no libFuzzer: the unit-test run. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
run_file(const char *path)
{
	uint8_t *buf = NULL;
	size_t size = 0;
	long end;
	FILE *f;

	errno = 0;
	f = fopen(path, "rb");
	if (f == NULL)
		goto fail;
	if (fseek(f, 0, SEEK_END) < 0 || (end = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0)
		goto fail;
	size = end;
	/* an exact-size copy, as libFuzzer gives, so that reads past the input are caught */
	buf = malloc(size > 0 ? size : 1);
	if (buf == NULL || fread(buf, 1, size, f) != size)
		goto fail;
	fclose(f);
	LLVMFuzzerTestOneInput(buf, size);
	free(buf);
	return 0;
fail:
	fprintf(stderr, "replay: %s: %s\n", path, strerror(errno != 0 ? errno : EIO));
	free(buf);
	if (f != NULL)
		fclose(f);
	return -1;
}

/* @return the number of inputs run, or -1 on an error. */
static int
run_path(const char *path)
{
	struct dirent *e;
	struct stat st;
	int n = 0;
	DIR *d;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path) < 0 ? -1 : 1;
	d = opendir(path);
	if (d == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		char sub[4096];
		int r;

		if (e->d_name[0] == '.')
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name) >= (int)sizeof(sub)) {
			fprintf(stderr, "replay: %s/%s: path too long\n", path, e->d_name);
			n = -1;
			break;
		}
		r = run_path(sub);
		if (r < 0) {
			n = -1;
			break;
		}
		n += r;
	}
	closedir(d);
	return n;
}

int
main(int argc, char **argv)
{
	int i, n = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
		return 1;
	}
	for (i = 1; i < argc; i++) {
		int r = run_path(argv[i]);

		if (r < 0)
			return 1;
		n += r;
	}
	/* an empty corpus means a wrong path, not a pass */
	if (n == 0) {
		fprintf(stderr, "replay: no inputs found\n");
		return 1;
	}
	printf("replay: %d inputs ran\n", n);
	return 0;
}
