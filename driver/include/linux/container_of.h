/* linux/container_of.h - from a pointer to a member, the struct that embeds it. */
#ifndef VS_LINUX_CONTAINER_OF_H
#define VS_LINUX_CONTAINER_OF_H

#include <stddef.h>

#define container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

#endif /* VS_LINUX_CONTAINER_OF_H */
