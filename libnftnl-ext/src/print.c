// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Pieces of the nft statement text and JSON: addresses, times and flag
 * lists, printed the way nft prints them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "internal.h"

void out_printf(struct out *o, const char *fmt, ...)
{
	size_t room = o->len < o->size ? o->size - o->len : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += n;
}

/*
 * IPv4 or IPv6 by length; IPv6 in brackets when a port follows, as nft's
 * dnat prints it. Other lengths only come from the testing API: they are
 * printed as lvsrule's hex: syntax.
 */
void out_addr(struct out *o, const void *addr, size_t len, bool bracket)
{
	char str[INET6_ADDRSTRLEN];
	const uint8_t *p = addr;
	size_t i;

	if (len == 4 || len == 16) {
		inet_ntop(len == 4 ? AF_INET : AF_INET6, addr, str,
			  sizeof(str));
		if (len == 16 && bracket)
			out_printf(o, "[%s]", str);
		else
			out_printf(o, "%s", str);
		return;
	}
	out_printf(o, "hex:");
	for (i = 0; i < len; i++)
		out_printf(o, "%02x", p[i]);
}

/* nft's time_print(): 90 -> 1m30s, 0 -> 0s; with -T plain seconds. */
void out_time(struct out *o, uint32_t secs, uint32_t flags)
{
	static const struct {
		uint32_t	secs;
		char		unit;
	} units[] = {
		{ 86400, 'd' }, { 3600, 'h' }, { 60, 'm' }, { 1, 's' },
	};
	unsigned int i;

	if (flags & NFTLVS_OF_SECONDS || !secs) {
		out_printf(o, "%us", secs);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(units); i++) {
		if (secs >= units[i].secs) {
			out_printf(o, "%u%c", secs / units[i].secs,
				   units[i].unit);
			secs %= units[i].secs;
		}
	}
}

/*
 * Flag names in bit order, joined by @sep (text) or as JSON strings.
 * Bits without a name are printed in hex, so that nothing set is hidden.
 */
void out_flags(struct out *o, const char *const *names, unsigned int n,
	       uint32_t flags, const char *sep, bool json)
{
	const char *quote = json ? "\"" : "";
	const char *next = "";
	uint32_t unknown = flags;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!(flags & (1U << i)))
			continue;
		out_printf(o, "%s%s%s%s", next, quote, names[i], quote);
		unknown &= ~(1U << i);
		next = json ? ", " : sep;
	}
	if (unknown)
		out_printf(o, "%s%s0x%x%s", next, quote, unknown, quote);
}

/* The body of a JSON string: quotes, backslashes and controls escaped. */
void out_json_escaped(struct out *o, const char *s)
{
	unsigned char c;

	for (; (c = *s); s++) {
		if (c == '"' || c == '\\')
			out_printf(o, "\\%c", c);
		else if (c < 0x20)
			out_printf(o, "\\u%04x", c);
		else
			out_printf(o, "%c", c);
	}
}

/*
 * Members of a JSON object that may stay empty, which nft prints as null
 * (as in {"lb-dispatch": null}): the first key opens the object.
 */
void out_json_key(struct out *o, bool *opened, const char *key)
{
	out_printf(o, "%s\"%s\": ", *opened ? ", " : "{", key);
	*opened = true;
}

void out_json_end(struct out *o, bool opened)
{
	out_printf(o, "%s", opened ? "}" : "null");
}
