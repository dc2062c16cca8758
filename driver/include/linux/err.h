/*
 * linux/err.h - errors carried in pointers.  The last 4095 addresses are
 * never valid objects, so a function returning a pointer can return
 * ERR_PTR(-ENOMEM) instead and the caller tests IS_ERR().  Used only inside
 * driver/; everything that leaves the guest returns int (STYLE.md).
 */
#ifndef VS_LINUX_ERR_H
#define VS_LINUX_ERR_H

#include <stdint.h>

#include <linux/compiler.h>

#define MAX_ERRNO 4095

#define IS_ERR_VALUE(x) unlikely((uintptr_t)(void *)(x) >= (uintptr_t)-MAX_ERRNO)

static inline void *ERR_PTR(long error)
{
	return (void *)(intptr_t)error;
}

static inline long PTR_ERR(const void *ptr)
{
	return (long)(intptr_t)ptr;
}

static inline bool IS_ERR(const void *ptr)
{
	return IS_ERR_VALUE((uintptr_t)ptr);
}

static inline bool IS_ERR_OR_NULL(const void *ptr)
{
	return !ptr || IS_ERR_VALUE((uintptr_t)ptr);
}

static inline void *ERR_CAST(const void *ptr)
{
	return (void *)(uintptr_t)ptr;
}

/* 0 when ptr is valid, its error otherwise. */
static inline int PTR_ERR_OR_ZERO(const void *ptr)
{
	return IS_ERR(ptr) ? (int)PTR_ERR(ptr) : 0;
}

#endif /* VS_LINUX_ERR_H */
