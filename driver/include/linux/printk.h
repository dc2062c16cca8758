/*
 * linux/printk.h - pr_err() and friends over vs_log.  Each file may define
 * KBUILD_MODNAME before its includes; it becomes the log subsystem, as
 * pr_fmt prefixes kernel messages.  Messages carry no trailing newline
 * (vs_log ends the line) and never a pointer or a time (same seed, same
 * bytes).
 */
#ifndef VS_LINUX_PRINTK_H
#define VS_LINUX_PRINTK_H

#include "core/log.h"

#ifndef KBUILD_MODNAME
#define KBUILD_MODNAME "guest"
#endif

#define pr_err(fmt, ...)   vs_log(VS_LOG_ERROR, KBUILD_MODNAME, fmt, ##__VA_ARGS__)
#define pr_warn(fmt, ...)  vs_log(VS_LOG_WARN, KBUILD_MODNAME, fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...)  vs_log(VS_LOG_INFO, KBUILD_MODNAME, fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...) vs_log(VS_LOG_DEBUG, KBUILD_MODNAME, fmt, ##__VA_ARGS__)

#endif /* VS_LINUX_PRINTK_H */
