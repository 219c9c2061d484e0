/* SPDX-License-Identifier: BSD-3-Clause */
/* Names of transports and MAC addresses: one table, one parser (include/myriad/names.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <myriad/names.h>

/* Adding a transport: its name here, beside its enum value in myriad/names.h. */
static const char *const transport_names[MYR_T_MAX] = {
	[MYR_T_POLL] = "poll",
	[MYR_T_BLOCK] = "block",
	[MYR_T_BPF] = "bpf",
};

const char *
myr_transport_name(enum myr_transport t)
{
	return (unsigned int)t < MYR_T_MAX ? transport_names[t] : NULL;
}

int
myr_transport_parse(const char *s, enum myr_transport *t)
{
	unsigned int i;

	for (i = 0; i < MYR_T_MAX; i++)
		if (transport_names[i] != NULL && strcmp(s, transport_names[i]) == 0) {
			*t = (enum myr_transport)i;
			return 0;
		}
	return -EINVAL;
}

const char *
myr_transport_list(void)
{
	static char list[MYR_T_MAX * 16];
	size_t len = 0;
	unsigned int i;

	if (list[0] != '\0')
		return list;
	for (i = 0; i < MYR_T_MAX; i++)
		len += snprintf(list + len, sizeof(list) - len, "%s%s", len ? ", " : "",
				transport_names[i]);
	return list;
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
myr_mac_parse(const char *s, uint8_t mac[MYR_MAC_ADDR_LEN])
{
	uint8_t b[MYR_MAC_ADDR_LEN];
	int i;

	for (i = 0; i < MYR_MAC_ADDR_LEN; i++) {
		int hi = hex_digit(s[0]), lo = hi < 0 ? -1 : hex_digit(s[1]);

		if (lo < 0)
			return -EINVAL;
		b[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (*s != (i < MYR_MAC_ADDR_LEN - 1 ? ':' : '\0'))
			return -EINVAL;
		s++;
	}
	memcpy(mac, b, sizeof(b));
	return 0;
}

char *
myr_mac_format(const uint8_t mac[MYR_MAC_ADDR_LEN], char buf[MYR_MAC_STR_LEN])
{
	snprintf(buf, MYR_MAC_STR_LEN, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
		 mac[3], mac[4], mac[5]);
	return buf;
}

int
myr_split_words(char *line, char **words, int max)
{
	char *r = line, *w = line;
	int n = 0;

	for (;;) {
		char q = 0;

		while (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r')
			r++;
		if (*r == '\0' || *r == '#')
			return n;
		if (n == max)
			return -E2BIG;
		words[n++] = w;
		while (*r != '\0' &&
		       (q != 0 || (*r != ' ' && *r != '\t' && *r != '\n' && *r != '\r'))) {
			if (q == 0 && (*r == '\'' || *r == '"'))
				q = *r++;
			else if (q != 0 && *r == q)
				q = 0, r++;
			else
				*w++ = *r++;
		}
		if (q != 0)
			return -EINVAL;
		if (*r != '\0')
			r++;
		*w++ = '\0';
	}
}
