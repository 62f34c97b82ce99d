/*
 * The arena port's own interface, beyond the minic_sys_* functions: the
 * figures a test reads to check the allocator's footprint, and the limits
 * of its message queues. Everything else is in arena.c.
 */
#ifndef MINIC_PORT_ARENA_H
#define MINIC_PORT_ARENA_H

#include <stddef.h>

/* Message queue limits (Linux's defaults of /proc/sys/fs/mqueue). */
#define ARENA_MQ_MSG_MAX 10
#define ARENA_MQ_MSGSIZE_MAX 8192
#define ARENA_MQ_MSG_DEFAULT 10
#define ARENA_MQ_MSGSIZE_DEFAULT 8192

/* Pages of the arena in use now (mappings, shared objects, queues). */
size_t arena_pages_in_use(void);
/* The most pages ever in use at once. */
size_t arena_pages_peak(void);
/* Pages the arena has in all (ARENA_BYTES / 4096). */
size_t arena_pages_total(void);

#endif /* MINIC_PORT_ARENA_H */
