/* SPDX-License-Identifier: BSD-3-Clause */
/* Replies of commands, and the one message of a failed call (control.h, "Errors"). */
#include <stdarg.h>
#include <stdlib.h>

#include "control.h"

/* Only the control thread fails calls: one message at a time. */
static char errmsg[512];

int
ctl_err(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errmsg, sizeof(errmsg), fmt, ap);
	va_end(ap);
	return err;
}

const char *
ctl_errmsg(void)
{
	return errmsg;
}

void
ctl_err_clear(void)
{
	errmsg[0] = '\0';
}

void
out_printf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->failed)
		return;
	for (;;) {
		size_t cap;
		char *b;

		va_start(ap, fmt);
		n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			o->failed = true;
			return;
		}
		if (o->len + n < o->cap) {
			o->len += n;
			return;
		}
		cap = o->cap ? o->cap * 2 : 4096;
		while (cap <= o->len + n)
			cap *= 2;
		/* the reply carries a 4-byte status too: its text stays within the limit */
		if (o->len + n > MYR_REPLY_MAX - sizeof(int32_t) ||
		    (b = realloc(o->buf, cap)) == NULL) {
			o->failed = true;
			return;
		}
		o->buf = b;
		o->cap = cap;
	}
}
