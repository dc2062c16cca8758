/*
 * shim.h - binding the kernel shim (driver/include/linux/, driver/shim*.c)
 * to one machine.  The shim is the only guest code that calls vs_*
 * functions; it reaches the machine through the environment bound here.
 * vs_guest_init binds it; unit tests of guest code bind it directly.
 */
#ifndef VS_DRIVER_SHIM_H
#define VS_DRIVER_SHIM_H

#include "driver/guest.h"

/* 0, -EBUSY when already bound, -EINVAL without an arena. */
int vs_shim_bind(const struct vs_guest_env *env);
/* Forget the machine.  Interrupt handlers still requested are released. */
void vs_shim_unbind(void);
/* The bound environment, NULL when none. */
const struct vs_guest_env *vs_shim_env(void);

#endif /* VS_DRIVER_SHIM_H */
