/*
 * linux/module.h - every driver is linked into the one virtiosim program.
 * module_driver() turns a driver's registration into two named functions,
 * <driver>_init and <driver>_exit, which the guest calls from
 * vs_guest_init / vs_guest_fini (driver/modules.h declares them).
 */
#ifndef VS_LINUX_MODULE_H
#define VS_LINUX_MODULE_H

#define THIS_MODULE NULL
/* Metadata a kernel keeps; nothing to keep here.  Each use still needs its ';'. */
#define MODULE_DEVICE_TABLE(type, name) _Static_assert(1, #name)
#define MODULE_DESCRIPTION(s)          _Static_assert(1, s)
#define MODULE_LICENSE(s)              _Static_assert(1, s)

#define module_driver(drv, reg, unreg)           \
	int drv##_init(void);                    \
	void drv##_exit(void);                   \
	int drv##_init(void)                     \
	{                                        \
		return reg(&(drv));              \
	}                                        \
	void drv##_exit(void)                    \
	{                                        \
		unreg(&(drv));                   \
	}                                        \
	_Static_assert(1, #drv)

#endif /* VS_LINUX_MODULE_H */
