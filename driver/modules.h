/*
 * modules.h - the drivers linked into the guest, as module init/exit pairs
 * (see module_driver in linux/module.h).  vs_guest_init calls the inits in
 * this order, vs_guest_fini the exits in reverse.
 */
#ifndef VS_DRIVER_MODULES_H
#define VS_DRIVER_MODULES_H

int virtio_mmio_driver_init(void);
void virtio_mmio_driver_exit(void);
int virtio_pci_driver_init(void);
void virtio_pci_driver_exit(void);
int virtio_rng_driver_init(void);
void virtio_rng_driver_exit(void);
int virtio_console_driver_init(void);
void virtio_console_driver_exit(void);
int virtio_blk_driver_init(void);
void virtio_blk_driver_exit(void);
int virtio_net_driver_init(void);
void virtio_net_driver_exit(void);

#endif /* VS_DRIVER_MODULES_H */
