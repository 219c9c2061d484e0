/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Connections of the control socket: myriadctl clients and NF registrations. Nothing
 * a peer does can stall the control thread or outlive its checks:
 *   - sockets are non-blocking; a reply that does not fit goes out as the peer reads
 *     (EPOLLOUT), and until it has, nothing more is read from that peer (at most one
 *     reply is queued per connection, so memory is bounded by the reply size);
 *   - a peer that leaves a message half sent, sends nothing at all, or does not read
 *     its reply, within the client timeout, is disconnected (registered NFs are not:
 *     their connection is their lifeline and idles by design);
 *   - a connection object is never freed while a handler may still use it: closing
 *     marks it dead, and conn_reap() frees it after the event that closed it;
 *   - the control loop holds ctl_lock while it handles an event: nothing here locks;
 *   - commands need an admin peer (SO_PEERCRED: root, the switch's user, or the
 *     socket's group), and a connection that registered an NF runs no command.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_cycles.h>

#include "control.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif

enum conn_role {
	ROLE_NEW, /* nothing received yet */
	ROLE_CMD, /* myriadctl: commands */
	ROLE_NF,  /* an NF's registration, then its lifeline */
};

struct conn {
	struct ev ev;
	int fd;
	TAILQ_ENTRY(conn) next;
	enum conn_role role;
	bool admin;             /* may run commands */
	bool dead;              /* closed: freed by conn_reap() */
	bool paused;            /* not reading: a reply is queued or awaited */
	struct ucred cred;      /* the peer, at connect */
	struct nf *nf;          /* the NF registered on it */
	struct nf *spawned_for; /* the switch spawned this NF with this connection */
	uint64_t deadline;      /* TSC: a half message, silence or an unread reply ends here */
	size_t len;             /* bytes in in[] */
	uint8_t in[sizeof(struct myr_msg_hdr) + MYR_CMD_MAX];
	char *out; /* a reply not sent yet */
	size_t out_len, out_off;
	uint32_t waiting_seq; /* a command whose reply comes later (conn_defer) */
	bool waiting;
	bool ready; /* unpaused with input buffered: listed in ready_list */
	TAILQ_ENTRY(conn) ready_next;
};
TAILQ_HEAD(conn_list, conn);

static struct conn_list conns = TAILQ_HEAD_INITIALIZER(conns);
static struct conn_list graveyard = TAILQ_HEAD_INITIALIZER(graveyard);
/* connections with buffered commands to run once the current event is handled */
static TAILQ_HEAD(, conn) ready_list = TAILQ_HEAD_INITIALIZER(ready_list);
static unsigned int n_conns;
uint32_t conn_timeout_ms = 10000;

static void conn_event(struct ev *ev, uint32_t events);

unsigned int
conn_count(void)
{
	return n_conns;
}

/* Some connection may have a deadline: set with each, cleared by a walk of conn_tick
 * that finds none. Most connections are NFs' lifelines, which have none, and walking
 * thousands of them every tick took a few percent of the NFs' core for nothing. */
static bool deadlines_set;

static uint64_t
deadline_from_now(void)
{
	deadlines_set = true;
	return rte_get_timer_cycles() + rte_get_timer_hz() * conn_timeout_ms / 1000;
}

static void
watch(struct conn *c)
{
	struct epoll_event e = { .events = c->paused ? 0 : EPOLLIN };

	if (c->out_len > c->out_off)
		e.events |= EPOLLOUT;
	/* a peer that hangs up is seen through EPOLLIN (EOF), or through EPOLLHUP when
	 * paused: epoll reports HUP and ERR whatever the mask */
	ev_mod(c->fd, &c->ev, e.events);
}

struct conn *
conn_create(int fd, const struct ucred *cred, bool admin, struct nf *spawned_for)
{
	struct conn *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->fd = fd;
	c->ev.fn = conn_event;
	c->cred = *cred;
	c->admin = admin;
	c->spawned_for = spawned_for;
	/* a spawned NF takes its time to start: its own deadline (proc.c) covers it */
	c->deadline = spawned_for != NULL ? 0 : deadline_from_now();
	if (ev_add(fd, &c->ev, EPOLLIN) < 0) {
		free(c);
		return NULL;
	}
	TAILQ_INSERT_TAIL(&conns, c, next);
	n_conns++;
	return c;
}

void
conn_close(struct conn *c)
{
	if (c->dead)
		return;
	c->dead = true;
	if (c->nf != NULL && c->nf->proc != NULL && c->nf->proc->conn == c)
		c->nf->proc->conn = NULL;
	if (c->waiting)
		proc_unwait(c);
	if (c->ready) {
		TAILQ_REMOVE(&ready_list, c, ready_next);
		c->ready = false;
	}
	ev_del(c->fd);
	close(c->fd);
	c->fd = -1;
	TAILQ_REMOVE(&conns, c, next);
	TAILQ_INSERT_TAIL(&graveyard, c, next);
	n_conns--;
}

void
conn_reap(void)
{
	struct conn *c;

	while ((c = TAILQ_FIRST(&graveyard)) != NULL) {
		TAILQ_REMOVE(&graveyard, c, next);
		free(c->out);
		free(c);
	}
}

/* The peer went away or broke the protocol: if it was an NF, that NF is going. */
static void
conn_lost(struct conn *c)
{
	struct nf *nf = c->nf;

	conn_close(c);
	if (nf != NULL && nf->proc != NULL)
		proc_conn_closed(nf->proc);
}

/* Send what is queued; returns false if the connection had to be closed. */
static bool
flush(struct conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			watch(c);
			return true;
		}
		if (n <= 0) {
			conn_lost(c);
			return false;
		}
		c->out_off += n;
		c->deadline = deadline_from_now(); /* it reads: give it time for the rest */
	}
	free(c->out);
	c->out = NULL;
	c->out_len = c->out_off = 0;
	if (!c->waiting) {
		c->paused = false;
		/* what the peer pipelined meanwhile runs after the current event */
		if (c->len > 0 && !c->ready) {
			c->ready = true;
			TAILQ_INSERT_TAIL(&ready_list, c, ready_next);
		}
	}
	watch(c);
	return true;
}

int
conn_send(struct conn *c, uint16_t type, uint32_t seq, const void *payload, uint32_t len)
{
	struct myr_msg_hdr h = {
		.magic = MYR_PROTO_MAGIC,
		.version = MYR_PROTO_VERSION,
		.type = type,
		.len = len,
		.seq = seq,
	};

	if (c->dead)
		return -EPIPE;
	if (c->out != NULL) /* one queued reply at most: we stop reading until it left */
		return -EBUSY;
	c->out = malloc(sizeof(h) + len);
	if (c->out == NULL) {
		conn_lost(c);
		return -ENOMEM;
	}
	memcpy(c->out, &h, sizeof(h));
	memcpy(c->out + sizeof(h), payload, len);
	c->out_len = sizeof(h) + len;
	c->out_off = 0;
	c->paused = true;
	c->deadline = deadline_from_now();
	return flush(c) ? 0 : -EPIPE;
}

void
conn_reply(struct conn *c, uint32_t seq, int status, const char *text, size_t len)
{
	uint32_t n = sizeof(int32_t) + len;
	int32_t st = status;
	char *p = malloc(n);

	if (p == NULL) {
		st = -ENOMEM;
		n = sizeof(st);
		p = (char *)&st;
	} else {
		memcpy(p, &st, sizeof(st));
		memcpy(p + sizeof(st), text, len);
	}
	conn_send(c, MYR_MSG_REPLY, seq, p, n);
	if (p != (char *)&st)
		free(p);
}

/* A command's reply comes later (an NF being started): read nothing more until then. */
void
conn_defer(struct conn *c, uint32_t seq)
{
	c->waiting = true;
	c->waiting_seq = seq;
	c->paused = true;
	c->deadline = 0; /* the wait has a deadline of its own (proc.c) */
	watch(c);
}

void
conn_resolve(struct conn *c, int status, const char *text)
{
	if (!c->waiting || c->dead)
		return;
	c->waiting = false;
	c->deadline = deadline_from_now();
	conn_reply(c, c->waiting_seq, status, text, strlen(text));
}

/* A pidfd of the peer itself (SO_PEERPIDFD, Linux 6.5), or -1: its pid alone could
 * have been reused since it connected. */
int
conn_peer_pidfd(const struct conn *c)
{
	int fd = -1;
	socklen_t len = sizeof(fd);

	if (c == NULL || c->dead || getsockopt(c->fd, SOL_SOCKET, SO_PEERPIDFD, &fd, &len) < 0)
		return -1;
	return fd;
}

static void
do_cmd(struct conn *c, const struct myr_msg_hdr *h, const void *payload)
{
	const char *argv[MYR_CMD_ARGS_MAX];
	struct out o = { .client = c, .seq = h->seq };
	int argc, ret;

	ctl_err_clear();
	if (!c->admin)
		ret = ctl_err(-EACCES,
			      "permission denied: uid %u may register NFs, not run "
			      "commands (see --socket-group)",
			      (unsigned int)c->cred.uid);
	else if (c->role == ROLE_NF)
		ret = ctl_err(-EPERM, "this connection registered an NF: it runs no command");
	else if ((argc = myr_cmd_decode(payload, h->len, argv, MYR_CMD_ARGS_MAX)) < 0)
		ret = ctl_err(argc, "malformed command message");
	else {
		c->role = ROLE_CMD;
		ret = cmd_run(argc, argv, &o);
	}
	if (ret == CMD_DEFERRED) {
		free(o.buf);
		return;
	}
	if (o.failed) {
		ret = -ENOMEM;
		o.len = 0;
	}
	if (ret < 0) {
		/* a failed command's reply is its one message */
		o.len = 0;
		o.failed = false;
		out_printf(&o, "%s", ctl_errmsg()[0] ? ctl_errmsg() : strerror(-ret));
	}
	if (!c->dead)
		conn_reply(c, h->seq, ret, o.buf != NULL ? o.buf : "", o.len);
	free(o.buf);
}

static void
do_hello(struct conn *c, const struct myr_msg_hdr *h, const void *payload)
{
	struct myr_welcome w = { .status = 0 };
	int fds[MYR_FDS_MAX];
	unsigned int n_fds = 0;
	struct nf *nf = NULL;
	int ret;

	ctl_err_clear();
	if (c->role != ROLE_NEW) {
		ret = ctl_err(-EISCONN, c->role == ROLE_NF
						? "already registered"
						: "a command connection registers no NF");
	} else {
		ret = nf_register(payload, h->len, &c->cred, c->admin, c->spawned_for, c, &nf, &w,
				  fds, &n_fds);
	}
	if (ret < 0) {
		w.status = ret;
		snprintf(w.error, sizeof(w.error), "%s", ctl_errmsg());
		LOG(NOTICE, "NF registration refused: %s", w.error);
		/* the answer to a refused registration carries no fds: it fits the socket */
		myr_msg_send(c->fd, MYR_MSG_WELCOME, h->seq, &w, sizeof(w), NULL, 0);
		goto out;
	}
	c->role = ROLE_NF;
	c->deadline = 0; /* the NF's lifeline: it idles by design */
	/* a new connection's socket buffer is empty: the WELCOME, fds and all, fits it */
	ret = myr_msg_send(c->fd, MYR_MSG_WELCOME, h->seq, &w, sizeof(w), fds, n_fds);
	if (ret < 0) {
		/* it will not learn its slot: treat it like any NF that went away */
		LOG(NOTICE, "NF %s: welcome failed", nf->name);
		conn_lost(c);
	} else {
		LOG(INFO, "NF %s attached: pid %d, slot %d", nf->name, (int)nf->proc->pid,
		    nf->slot);
	}
out:
	/* the welcome's fds are its own (mem.c): once sent, the NF holds its copies */
	while (n_fds > 0)
		close(fds[--n_fds]);
}

/* Handle the complete messages in in[]; stop when closed or paused. */
static void
parse(struct conn *c)
{
	struct myr_msg_hdr h;

	while (!c->dead && !c->paused && c->len >= sizeof(h)) {
		size_t total;
		int ret;

		memcpy(&h, c->in, sizeof(h));
		ret = myr_msg_hdr_check(&h);
		if (ret == 0 && h.type != MYR_MSG_CMD && h.type != MYR_MSG_HELLO)
			ret = -EBADMSG;
		if (ret < 0) {
			LOG(NOTICE, "closing a control connection: bad message (%s)",
			    strerror(-ret));
			conn_lost(c);
			return;
		}
		total = sizeof(h) + h.len;
		if (c->len < total)
			break;
		if (h.type == MYR_MSG_CMD)
			do_cmd(c, &h, c->in + sizeof(h));
		else
			do_hello(c, &h, c->in + sizeof(h));
		if (c->dead)
			return;
		memmove(c->in, c->in + total, c->len - total);
		c->len -= total;
	}
	/* a half message must be completed in time; a registered NF may idle */
	if (!c->dead && c->role != ROLE_NF && !c->waiting)
		c->deadline = deadline_from_now();
}

static void
conn_event(struct ev *ev, uint32_t events)
{
	struct conn *c = container_of(ev, struct conn, ev);
	ssize_t r;

	if (c->dead)
		return;
	if ((events & EPOLLOUT) && !flush(c))
		return;
	if (c->ready) /* its buffered input first, in order */
		return;
	if (c->paused) {
		if (events & (EPOLLHUP | EPOLLERR)) {
			conn_lost(c);
		}
		return;
	}
	if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	r = recv(c->fd, c->in + c->len, sizeof(c->in) - c->len, MSG_DONTWAIT);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		conn_lost(c);
		return;
	}
	c->len += r;
	parse(c);
}

/* The NF registered on c (proc_attach): each knows the other until either goes. */
void
conn_set_nf(struct conn *c, struct nf *nf)
{
	c->nf = nf;
	c->role = nf != NULL ? ROLE_NF : ROLE_NEW;
	c->deadline = nf != NULL ? 0 : deadline_from_now();
}

void
conn_poll(struct conn *c, uint32_t events)
{
	conn_event(&c->ev, events);
}

/* Run the commands buffered by connections whose reply has left (conn_send). */
void
conn_run_ready(void)
{
	struct conn *c;

	while ((c = TAILQ_FIRST(&ready_list)) != NULL) {
		TAILQ_REMOVE(&ready_list, c, ready_next);
		c->ready = false;
		parse(c);
	}
}

/* Disconnect the peers past their deadline; resume those whose reply left. */
void
conn_tick(void)
{
	uint64_t now = rte_get_timer_cycles();
	struct conn *c, *tmp;
	bool any = false;

	if (!deadlines_set)
		return;
	deadlines_set = false; /* set again by a deadline given meanwhile */
	RTE_TAILQ_FOREACH_SAFE (c, &conns, next, tmp) {
		if (c->deadline == 0)
			continue;
		if (now < c->deadline) {
			any = true;
			continue;
		}
		LOG(NOTICE, "closing a control connection (pid %d): %s", (int)c->cred.pid,
		    c->out != NULL ? "its reply was not read" : "silent or half a message");
		conn_lost(c);
	}
	if (any)
		deadlines_set = true;
}

/* Shutdown: close every connection (an NF sees its lifeline end). */
void
conn_close_all(void)
{
	struct conn *c;

	while ((c = TAILQ_FIRST(&conns)) != NULL)
		conn_close(c);
	conn_reap();
}
