/*
 * catalogue.c - the rule table (see harness/rules.h).
 *
 * One row per rule, indexed by enum vs__rule so checks name rules without
 * string lookups.  spec is an id verbatim from ../shared/spec/normative.tsv
 * (tests/check_monitor.c checks that it exists and that side and level
 * agree); "" means the requirement is stated only in prose at `section`.
 */
#include <string.h>

#include "harness/monitor_internal.h"

#define DRV VS_SIDE_DRIVER
#define DEV VS_SIDE_DEVICE

const struct vs_rule vs__rules[VS_R_COUNT] = {
	/* ---- init: the initialization sequence ---- */
	[VS_R_INIT_STATUS_ORDER] = {"init.status-order", "drv.init.device-initialization.1", "3.1.1",
		DRV, "MUST", "status bit set out of order (DRIVER needs ACKNOWLEDGE, FEATURES_OK needs DRIVER, DRIVER_OK needs FEATURES_OK)", 0},
	[VS_R_INIT_FEATURES_OK_CHECK] = {"init.features-ok-check", "drv.init.device-initialization.1", "3.1.1",
		DRV, "MUST", "DRIVER_OK set without re-reading status to see FEATURES_OK still set", 0},
	[VS_R_INIT_CONTINUE_AFTER_REFUSAL] = {"init.continue-after-refusal", "drv.init.device-initialization.5", "3.1.1",
		DRV, "MUST NOT", "initialization continued after the device refused FEATURES_OK", 0},
	[VS_R_INIT_STATUS_CLEAR] = {"init.status-clear", "drv.basic.device-status-field.2", "2.1.1",
		DRV, "MUST NOT", "status write clears a bit without a reset", 0},
	[VS_R_INIT_FAILED_RESET] = {"init.failed-reset", "drv.basic.device-status-field.3", "2.1.1",
		DRV, "MUST", "initialization resumed after FAILED without a reset", 0},
	[VS_R_INIT_KICK_BEFORE_DRIVER_OK] = {"init.kick-before-driver-ok", "drv.init.device-initialization.6", "3.1.1",
		DRV, "MUST NOT", "available buffer notification before DRIVER_OK", 0},
	[VS_R_INIT_FEATURES_AFTER_FEATURES_OK] = {"init.features-after-features-ok", "drv.init.device-initialization.3", "3.1.1",
		DRV, "MUST NOT", "new feature bits accepted after FEATURES_OK", 0},
	[VS_R_INIT_CONFIG_WRITE_EARLY] = {"init.config-write-early", "drv.init.device-initialization.2", "3.1.1",
		DRV, "MUST NOT", "device configuration written before FEATURES_OK", 0},
	[VS_R_INIT_FEATURES_BEFORE_DRIVER] = {"init.features-before-driver", "drv.basic.device-status-field.1", "2.1.1",
		DRV, "MUST", "driver features written before the DRIVER status bit was set", 0},
	[VS_R_INIT_QUEUE_BEFORE_FEATURES_OK] = {"init.queue-before-features-ok", "drv.init.device-initialization.1", "3.1.1",
		DRV, "MUST", "virtqueue enabled before FEATURES_OK", 0},

	/* ---- suspend ---- */
	[VS_R_SUSPEND_NOT_READY] = {"suspend.not-ready", "drv.init.device-suspend.1", "3.4.1",
		DRV, "SHOULD NOT", "SUSPEND set without DRIVER_OK or without VIRTIO_F_SUSPEND", 0},
	[VS_R_SUSPEND_VERIFY] = {"suspend.verify", "drv.init.device-suspend.2", "3.4.1",
		DRV, "MUST", "status written after SUSPEND without re-reading it to verify", 0},
	[VS_R_SUSPEND_AVAIL] = {"suspend.avail", "drv.init.device-suspend.3", "3.4.1",
		DRV, "MUST NOT", "buffers made available after SUSPEND", 0},
	[VS_R_SUSPEND_KICK] = {"suspend.kick", "drv.init.device-suspend.4", "3.4.1",
		DRV, "MUST NOT", "virtqueue notified after SUSPEND", 0},
	[VS_R_SUSPEND_CONFIG_WRITE] = {"suspend.config-write", "drv.init.device-suspend.5", "3.4.1",
		DRV, "MUST NOT", "device configuration written after SUSPEND", 0},
	[VS_R_SUSPEND_RESUME_WAIT] = {"suspend.resume-wait", "drv.init.device-suspend.6", "3.4.1",
		DRV, "MUST", "queue used after resuming before status showed SUSPEND 0 and DRIVER_OK 1", 0},
	[VS_R_SUSPEND_DEVICE_IGNORE] = {"suspend.device-ignore", "dev.init.device-suspend.1", "3.4.2",
		DEV, "MUST", "SUSPEND honoured before the device was completely initialized", 0},
	[VS_R_SUSPEND_DEVICE_NOTIFY] = {"suspend.device-notify", "dev.init.device-suspend.3", "3.4.2",
		DEV, "MUST NOT", "notification sent while suspended", 0},
	[VS_R_SUSPEND_DEVICE_QUEUE_ACCESS] = {"suspend.device-queue-access", "dev.init.device-suspend.3", "3.4.2",
		DEV, "MUST NOT", "virtqueue accessed or used while suspended", 0},

	/* ---- reset ---- */
	[VS_R_RESET_WAIT_READBACK] = {"reset.wait-readback", "drv.basic.device-reset.1", "2.4.2",
		DRV, "SHOULD", "re-initialization began without reading status back as 0 after reset", 0},
	[VS_R_RESET_DEVICE_NOTIFY] = {"reset.device-notify", "dev.basic.device-reset.2", "2.4.1",
		DEV, "MUST NOT", "notification sent after reset before the driver set DRIVER_OK again", 0},
	[VS_R_RESET_DEVICE_QUEUE_ACCESS] = {"reset.device-queue-access", "dev.basic.device-reset.2", "2.4.1",
		DEV, "MUST NOT", "device accessed a virtqueue's memory after reset", 0},
	[VS_R_RESET_NEEDS_RESET_NOTIFY] = {"reset.needs-reset-notify", "dev.basic.device-status-field.3", "2.1.2",
		DEV, "MUST", "DEVICE_NEEDS_RESET set while live with no configuration change notification", 0},

	/* ---- virtqueue reset ---- */
	[VS_R_VQRESET_DEVICE_ACCESS] = {"vq-reset.device-access", "dev.basic.virtqueues.virtqueue-reset.virtqueue-reset.1", "2.6.1.1.1",
		DEV, "MUST NOT", "device accessed a virtqueue after the driver reset it", 0},
	[VS_R_VQRESET_RECONFIGURE] = {"vq-reset.reconfigure", "drv.basic.virtqueues.virtqueue-reset.virtqueue-re-enable.1", "2.6.1.2.2",
		DRV, "MUST", "queue re-enabled after a reset without configuring size and addresses again", 0},

	/* ---- feature negotiation ---- */
	[VS_R_FEATURES_UNOFFERED] = {"features.unoffered", "drv.basic.feature-bits.1", "2.2.1",
		DRV, "MUST NOT", "accepted a feature bit the device did not offer (or whose word was never read)", 0},
	[VS_R_FEATURES_RESERVED] = {"features.reserved", "drv.basic.feature-bits.3", "2.2.1",
		DRV, "MUST", "accepted a reserved feature bit or one the transport does not support", 0},
	[VS_R_FEATURES_OFFER_RESERVED] = {"features.offer-reserved", "dev.basic.feature-bits.3", "2.2.2",
		DEV, "MUST NOT", "offered a reserved feature bit or one the transport does not support", 0},
	[VS_R_FEATURES_VERSION_1] = {"features.version-1", "drv.reserved.1", "6.1",
		DRV, "MUST", "VIRTIO_F_VERSION_1 offered but not accepted", 0},
	[VS_R_FEATURES_DEVICE_VERSION_1] = {"features.device-version-1", "dev.reserved.1", "6.2",
		DEV, "MUST", "VIRTIO_F_VERSION_1 not offered", 0},
	[VS_R_FEATURES_SR_IOV] = {"features.sr-iov", "drv.reserved.9", "6.1",
		DRV, "MUST NOT", "VIRTIO_F_SR_IOV accepted on a device that is not PCI", 0},
	[VS_R_FEATURES_OFFER_SR_IOV] = {"features.offer-sr-iov", "dev.reserved.9", "6.2",
		DEV, "MUST NOT", "VIRTIO_F_SR_IOV offered by a device that is not PCI", 0},
	[VS_R_FEATURES_RENEGOTIATION] = {"features.renegotiation", "dev.basic.feature-bits.4", "2.2.2",
		DEV, "SHOULD NOT", "FEATURES_OK refused for a feature set the device accepted before a reset", 0},

	/* ---- device configuration space ---- */
	[VS_R_CONFIG_GENERATION] = {"config.generation", "dev.mmio.mmio-device-register-layout.6", "4.2.2.1",
		DEV, "MUST", "a config field changed while ConfigGeneration kept its value", 0},
	[VS_R_CONFIG_READ_UNBRACKETED] = {"config.read-unbracketed", "drv.basic.device-configuration-space.1", "2.5.1",
		DRV, "SHOULD", "config read of more than 32 bits not bracketed by generation reads", 1},
	[VS_R_CONFIG_GENERATION_RETRY] = {"config.generation-retry", "drv.basic.device-configuration-space.1", "2.5.1",
		DRV, "SHOULD", "generation changed across a config read and the driver did not retry", 1},

	/* ---- split virtqueue: driver side ---- */
	[VS_R_SPLIT_AVAIL_IDX_JUMP] = {"split.avail-idx-jump", "", "2.7",
		DRV, "MUST", "avail idx moved forward by more than the queue size", 0},
	[VS_R_SPLIT_AVAIL_IDX_DECREMENT] = {"split.avail-idx-decrement", "drv.basic.virtqueues.virtqueue-available-ring.1", "2.7.6.1",
		DRV, "MUST NOT", "avail idx decremented", 0},
	[VS_R_SPLIT_DESC_INDEX] = {"split.desc-index", "", "2.7.5",
		DRV, "MUST", "head or next descriptor index not below the queue size", 0},
	[VS_R_SPLIT_DESC_LOOP] = {"split.desc-loop", "drv.basic.virtqueues.virtqueue-descriptor-table.1", "2.7.5.2",
		DRV, "MUST NOT", "descriptor chain loops", 0},
	[VS_R_SPLIT_CHAIN_BYTES] = {"split.chain-bytes", "drv.basic.virtqueues.virtqueue-descriptor-table.1", "2.7.5.2",
		DRV, "MUST NOT", "descriptor chain longer than 2^32 bytes in total", 0},
	[VS_R_SPLIT_CHAIN_TOO_LONG] = {"split.chain-too-long", "drv.basic.virtqueues.virtqueue-descriptor-table.indirect-descriptors.3", "2.7.5.3.1",
		DRV, "MUST NOT", "descriptor chain (indirect entries included) longer than the queue size", 0},
	[VS_R_SPLIT_DESC_RANGE] = {"split.desc-range", "", "2.7.5",
		DRV, "MUST", "buffer or indirect table not inside guest RAM", 0},
	[VS_R_SPLIT_WRITE_BEFORE_READ] = {"split.write-before-read", "drv.basic.message-framing.1", "2.7.4.2",
		DRV, "MUST", "device-readable descriptor after a device-writable one", 0},
	[VS_R_SPLIT_INDIRECT_NOT_NEGOTIATED] = {"split.indirect-not-negotiated", "drv.basic.virtqueues.virtqueue-descriptor-table.indirect-descriptors.1", "2.7.5.3.1",
		DRV, "MUST NOT", "VIRTQ_DESC_F_INDIRECT used without VIRTIO_F_INDIRECT_DESC", 0},
	[VS_R_SPLIT_INDIRECT_NESTED] = {"split.indirect-nested", "drv.basic.virtqueues.virtqueue-descriptor-table.indirect-descriptors.2", "2.7.5.3.1",
		DRV, "MUST NOT", "VIRTQ_DESC_F_INDIRECT inside an indirect table", 0},
	[VS_R_SPLIT_INDIRECT_NEXT] = {"split.indirect-next", "drv.basic.virtqueues.virtqueue-descriptor-table.indirect-descriptors.4", "2.7.5.3.1",
		DRV, "MUST NOT", "descriptor with both INDIRECT and NEXT", 0},
	[VS_R_SPLIT_INDIRECT_LEN] = {"split.indirect-len", "", "2.7.5.3",
		DRV, "MUST", "indirect table length zero or not a multiple of 16", 0},
	[VS_R_SPLIT_HEAD_REUSED] = {"split.head-reused", "drv.init.device-cleanup.1", "3.3.1",
		DRV, "MUST NOT", "descriptor of an exposed (available, not used) chain put in a new chain", 0},
	[VS_R_SPLIT_RING_ALIGNMENT] = {"split.ring-alignment", "drv.basic.virtqueues.1", "2.7.1",
		DRV, "MUST", "ring part not aligned (descriptors 16, driver area 2, device area 4)", 0},
	[VS_R_SPLIT_RING_RANGE] = {"split.ring-range", "", "2.7",
		DRV, "MUST", "ring part not inside guest RAM", 0},
	[VS_R_SPLIT_QUEUE_SIZE] = {"split.queue-size", "", "2.7",
		DRV, "MUST", "queue size zero, above 32768 or not a power of 2", 0},
	[VS_R_SPLIT_USED_FLAGS_INIT] = {"split.used-flags-init", "drv.basic.virtqueues.available-buffer-notification-suppression.1", "2.7.10.1",
		DRV, "MUST", "used ring flags not 0 when the queue was enabled", 0},
	[VS_R_SPLIT_AVAIL_FLAGS] = {"split.avail-flags", "drv.basic.virtqueues.used-buffer-notification-suppression.1", "2.7.7.1",
		DRV, "MUST", "avail flags neither 0 nor 1 (no VIRTIO_F_EVENT_IDX)", 0},
	[VS_R_SPLIT_AVAIL_FLAGS_EVENT_IDX] = {"split.avail-flags-event-idx", "drv.basic.virtqueues.used-buffer-notification-suppression.3", "2.7.7.1",
		DRV, "MUST", "avail flags not 0 with VIRTIO_F_EVENT_IDX", 0},
	[VS_R_SPLIT_IN_ORDER_NEXT] = {"split.in-order-next", "drv.basic.virtqueues.virtqueue-descriptor-table.2", "2.7.5.2",
		DRV, "MUST", "VIRTIO_F_IN_ORDER: descriptor x chains to other than x + 1 (mod queue size)", 0},
	[VS_R_SPLIT_IN_ORDER_INDIRECT] = {"split.in-order-indirect", "drv.basic.virtqueues.virtqueue-descriptor-table.indirect-descriptors.5", "2.7.5.3.1",
		DRV, "MUST", "VIRTIO_F_IN_ORDER: indirect entry j chains to other than j + 1", 0},

	/* ---- split virtqueue: device side ---- */
	[VS_R_SPLIT_USED_ID_RANGE] = {"split.used-id-range", "", "2.7.8",
		DEV, "MUST", "used id not below the queue size", 0},
	[VS_R_SPLIT_USED_ID_NOT_OUTSTANDING] = {"split.used-id-not-outstanding", "", "2.7.8",
		DEV, "MUST", "used id names a chain that is not available (never made available, or already used)", 0},
	[VS_R_SPLIT_USED_LEN] = {"split.used-len", "dev.basic.virtqueues.virtqueue-used-ring.2", "2.7.8.2",
		DEV, "MUST", "used len beyond the chain's device-writable bytes", 0},
	[VS_R_SPLIT_USED_IDX_JUMP] = {"split.used-idx-jump", "", "2.7.8",
		DEV, "MUST", "used idx moved by more than the queue size", 0},
	[VS_R_SPLIT_DEVICE_WRITE_READABLE] = {"split.device-write-readable", "dev.basic.virtqueues.virtqueue-descriptor-table.1", "2.7.5.1",
		DEV, "MUST NOT", "device wrote into a device-readable buffer or indirect table", 0},
	[VS_R_SPLIT_DEVICE_INDIRECT_WRITE] = {"split.device-indirect-write", "dev.basic.virtqueues.virtqueue-descriptor-table.indirect-descriptors.1", "2.7.5.3.2",
		DEV, "MUST", "device wrote into an indirect table whose descriptor has VIRTQ_DESC_F_WRITE (the flag is to be ignored)", 0},
	[VS_R_SPLIT_DEVICE_READ_WRITABLE] = {"split.device-read-writable", "dev.basic.virtqueues.virtqueue-descriptor-table.1", "2.7.5.1",
		DEV, "SHOULD NOT", "device read a device-writable buffer", 1},
	[VS_R_SPLIT_DEVICE_WRITE_DESC] = {"split.device-write-desc", "dev.basic.virtqueues.virtqueue-descriptor-table.2", "2.7.5.1",
		DEV, "MUST NOT", "device wrote into the descriptor table", 0},
	[VS_R_SPLIT_DEVICE_WRITE_AVAIL] = {"split.device-write-avail", "", "2.7.6",
		DEV, "MUST NOT", "device wrote into the driver area (available ring)", 0},
	[VS_R_SPLIT_USED_BEFORE_DRIVER_OK] = {"split.used-before-driver-ok", "dev.basic.device-status-field.1", "2.1.2",
		DEV, "MUST NOT", "used buffer published before DRIVER_OK", 0},
	[VS_R_SPLIT_USED_FLAGS] = {"split.used-flags", "dev.basic.virtqueues.available-buffer-notification-suppression.1", "2.7.10.2",
		DEV, "MUST", "used flags neither 0 nor 1 (no VIRTIO_F_EVENT_IDX)", 0},
	[VS_R_SPLIT_USED_FLAGS_EVENT_IDX] = {"split.used-flags-event-idx", "dev.basic.virtqueues.available-buffer-notification-suppression.3", "2.7.10.2",
		DEV, "MUST", "used flags not 0 with VIRTIO_F_EVENT_IDX", 0},
	[VS_R_SPLIT_IN_ORDER] = {"split.in-order", "dev.reserved.5", "6.2",
		DEV, "MUST", "VIRTIO_F_IN_ORDER negotiated and a buffer used out of order", 0},
	[VS_R_SPLIT_USED_WRITE_PUBLISHED] = {"split.used-write-published", "dev.basic.virtqueues.virtqueue-used-ring.1", "2.7.8.2",
		DEV, "MUST", "used element written after used idx already published it", 0},

	/* ---- used buffer notifications ---- */
	[VS_R_NOTIFY_USED_MISSING] = {"notify.used-missing", "dev.basic.virtqueues.used-buffer-notification-suppression.3", "2.7.7.2",
		DEV, "MUST", "used buffer published with avail flags 0 and no notification followed", 0},
	[VS_R_NOTIFY_USED_MISSING_EVENT_IDX] = {"notify.used-missing-event-idx", "dev.basic.virtqueues.used-buffer-notification-suppression.5", "2.7.7.2",
		DEV, "MUST", "used idx crossed used_event and no notification followed", 0},
	[VS_R_NOTIFY_USED_SUPPRESSED] = {"notify.used-suppressed", "dev.basic.virtqueues.used-buffer-notification-suppression.2", "2.7.7.2",
		DEV, "SHOULD NOT", "used buffer notification sent while avail flags asked for none", 0},
	[VS_R_NOTIFY_USED_SUPPRESSED_EVENT_IDX] = {"notify.used-suppressed-event-idx", "dev.basic.virtqueues.used-buffer-notification-suppression.6", "2.7.7.2",
		DEV, "SHOULD NOT", "used buffer notification sent although used idx did not cross used_event", 0},

	/* ---- virtio-mmio register file: driver side ---- */
	[VS_R_MMIO_ACCESS_UNDEFINED] = {"mmio.access-undefined", "drv.mmio.mmio-device-register-layout.1", "4.2.2.2",
		DRV, "MUST NOT", "access to an offset not in the register table", 0},
	[VS_R_MMIO_WRITE_READONLY] = {"mmio.write-readonly", "drv.mmio.mmio-device-register-layout.1", "4.2.2.2",
		DRV, "MUST NOT", "write to a read-only register", 0},
	[VS_R_MMIO_READ_WRITEONLY] = {"mmio.read-writeonly", "drv.mmio.mmio-device-register-layout.1", "4.2.2.2",
		DRV, "MUST NOT", "read from a write-only register", 0},
	[VS_R_MMIO_ACCESS_WIDTH] = {"mmio.access-width", "drv.mmio.mmio-device-register-layout.2", "4.2.2.2",
		DRV, "MUST", "control register access not 32 bits wide and aligned", 0},
	[VS_R_MMIO_CONFIG_WIDTH] = {"mmio.config-width", "drv.mmio.mmio-device-register-layout.3", "4.2.2.2",
		DRV, "MUST", "config access wider than 32 bits or not aligned to its width", 0},
	[VS_R_MMIO_INIT_MAGIC_VERSION] = {"mmio.init-magic-version", "drv.mmio.mmio-specific-initialization-and-device-operation.device-initialization.1", "4.2.3.1.1",
		DRV, "MUST", "initialization did not start by reading MagicValue and Version", 0},
	[VS_R_MMIO_DEVICE_ID_ZERO] = {"mmio.device-id-zero", "drv.mmio.mmio-device-register-layout.6", "4.2.2.2",
		DRV, "MUST", "device used although DeviceID read 0", 0},
	[VS_R_MMIO_DEVICE_ID_UNREAD] = {"mmio.device-id-unread", "drv.mmio.mmio-specific-initialization-and-device-operation.device-initialization.2", "4.2.3.1.1",
		DRV, "MUST", "initialization went on without reading DeviceID", 0},
	[VS_R_MMIO_BAD_MAGIC_IGNORED] = {"mmio.bad-magic-ignored", "drv.mmio.mmio-device-register-layout.4", "4.2.2.2",
		DRV, "MUST", "device used although MagicValue was wrong", 0},
	[VS_R_MMIO_BAD_VERSION_IGNORED] = {"mmio.bad-version-ignored", "drv.mmio.mmio-device-register-layout.5", "4.2.2.2",
		DRV, "MUST", "device used although Version was not 2", 0},
	[VS_R_MMIO_FEATURES_SEL] = {"mmio.features-sel", "drv.mmio.mmio-device-register-layout.7", "4.2.2.2",
		DRV, "MUST", "DeviceFeatures read before any DeviceFeaturesSel write", 0},
	[VS_R_MMIO_DRIVER_FEATURES_SEL] = {"mmio.driver-features-sel", "drv.mmio.mmio-device-register-layout.8", "4.2.2.2",
		DRV, "MUST", "DriverFeatures written before any DriverFeaturesSel write", 0},
	[VS_R_MMIO_QUEUE_SIZE_MAX] = {"mmio.queue-size-max", "drv.mmio.mmio-device-register-layout.9", "4.2.2.2",
		DRV, "MUST", "QueueSize written above QueueSizeMax", 0},
	[VS_R_MMIO_QUEUE_READY_ACCESS] = {"mmio.queue-ready-access", "drv.mmio.mmio-device-register-layout.10", "4.2.2.2",
		DRV, "MUST NOT", "QueueSize or a queue address accessed while QueueReady is set", 0},
	[VS_R_MMIO_QUEUE_READY_READBACK] = {"mmio.queue-ready-readback", "drv.mmio.mmio-device-register-layout.11", "4.2.2.2",
		DRV, "MUST", "QueueReady not read back after writing 0", 0},
	[VS_R_MMIO_ACK_UNDEFINED] = {"mmio.ack-undefined", "drv.mmio.mmio-device-register-layout.13", "4.2.2.2",
		DRV, "MUST", "InterruptACK written with undefined bits", 0},
	[VS_R_MMIO_ISR_NOT_READ] = {"mmio.isr-not-read", "drv.mmio.mmio-specific-initialization-and-device-operation.notifications-from-device.1", "4.2.3.4.1",
		DRV, "MUST", "interrupt handled without reading InterruptStatus", 0},
	[VS_R_MMIO_ISR_NOT_ACKED] = {"mmio.isr-not-acked", "drv.mmio.mmio-specific-initialization-and-device-operation.notifications-from-device.3", "4.2.3.4.1",
		DRV, "MUST", "interrupt events read but not acknowledged through InterruptACK", 0},
	[VS_R_MMIO_QUEUE_RESET_READBACK] = {"mmio.queue-reset-readback", "drv.mmio.mmio-device-register-layout.14", "4.2.2.2",
		DRV, "MUST NOT", "queue re-enabled after QueueReset=1 before QueueReset read back 0", 0},

	/* ---- virtio-mmio register file: device side ---- */
	[VS_R_MMIO_MAGIC] = {"mmio.magic", "dev.mmio.mmio-device-register-layout.1", "4.2.2.1",
		DEV, "MUST", "MagicValue is not 0x74726976", 0},
	[VS_R_MMIO_VERSION] = {"mmio.version", "dev.mmio.mmio-device-register-layout.2", "4.2.2.1",
		DEV, "MUST", "Version is not 2", 0},
	[VS_R_MMIO_ISR_MISSING_BIT] = {"mmio.isr-missing-bit", "dev.mmio.mmio-device-register-layout.3", "4.2.2.1",
		DEV, "MUST", "used buffer needing notification but InterruptStatus bit 0 clear", 0},
	[VS_R_MMIO_ISR_UNDEFINED_BITS] = {"mmio.isr-undefined-bits", "dev.mmio.mmio-device-register-layout.4", "4.2.2.1",
		DEV, "MUST", "InterruptStatus has bits other than 0 and 1 set", 0},
	[VS_R_MMIO_ISR_SPURIOUS] = {"mmio.isr-spurious", "dev.mmio.mmio-device-register-layout.4", "4.2.2.1",
		DEV, "MUST", "InterruptStatus bit 0 set with no used buffer since the last acknowledge", 0},
	[VS_R_MMIO_RESET_CLEAR] = {"mmio.reset-clear", "dev.mmio.mmio-device-register-layout.5", "4.2.2.1",
		DEV, "MUST", "InterruptStatus or QueueReady not cleared by reset", 0},
	[VS_R_MMIO_RESET_READBACK] = {"mmio.reset-readback", "dev.basic.device-reset.1", "2.4.1",
		DEV, "MUST", "Status does not read back 0 right after a reset", 0},
	[VS_R_MMIO_QUEUE_NOT_READY_ACCESS] = {"mmio.queue-not-ready-access", "dev.mmio.mmio-device-register-layout.7", "4.2.2.1",
		DEV, "MUST NOT", "device accessed a virtqueue after the driver cleared QueueReady", 0},
	[VS_R_MMIO_INTERRUPT_NO_CAUSE] = {"mmio.interrupt-no-cause", "", "4.2.3.4",
		DEV, "SHOULD NOT", "interrupt asserted while InterruptStatus reads 0", 0},
	[VS_R_MMIO_QUEUE_RESET_ZERO_AFTER_RESET] = {"mmio.queue-reset-zero-after-reset", "dev.mmio.mmio-device-register-layout.8", "4.2.2.1",
		DEV, "MUST", "QueueReset reads non-zero after a device reset (VIRTIO_F_RING_RESET)", 0},
	[VS_R_MMIO_QUEUE_RESET_ZERO_AFTER_ENABLE] = {"mmio.queue-reset-zero-after-enable", "dev.mmio.mmio-device-register-layout.9", "4.2.2.1",
		DEV, "MUST", "QueueReset reads non-zero on an enabled queue (VIRTIO_F_RING_RESET)", 0},
	[VS_R_MMIO_QUEUE_RESET_READY] = {"mmio.queue-reset-ready", "dev.mmio.mmio-device-register-layout.12", "4.2.2.1",
		DEV, "MUST", "QueueReady reads non-zero after a queue reset completed", 0},

	/* ---- entropy device ---- */
	[VS_R_ENTROPY_READABLE_BUFFER] = {"entropy.readable-buffer", "drv.entropy.device-operation.1", "5.4.6.1",
		DRV, "MUST NOT", "device-readable buffer placed in the entropy request queue", 0},
	[VS_R_ENTROPY_ZERO_LEN] = {"entropy.zero-len", "dev.entropy.device-operation.1", "5.4.6.2",
		DEV, "MUST", "entropy request completed with no random bytes", 0},
};

const struct vs_rule *vs_rules_all(size_t *count)
{
	if (count)
		*count = VS_R_COUNT;
	return vs__rules;
}

const struct vs_rule *vs_rule_find(const char *id)
{
	size_t i;

	if (!id)
		return NULL;
	for (i = 0; i < VS_R_COUNT; i++)
		if (strcmp(vs__rules[i].id, id) == 0)
			return &vs__rules[i];
	return NULL;
}

int vs_rule_is_warning(const struct vs_rule *rule)
{
	return rule && strncmp(rule->level, "SHOULD", 6) == 0;
}
