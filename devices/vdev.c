/*
 * vdev.c - the vdev core: status state machine, feature negotiation,
 * config space and generation, queue setup, kicks and the interrupt path
 * to the bound transport.
 *
 * Every function here runs on a register access (a few per driver
 * operation) or on a kick, so clarity wins over speed.  The only hot path
 * is vs_vdev_kick, which just queues the model's handler: device work never
 * runs inside the driver's bus write, as on real hardware the device acts
 * after the doorbell write has retired.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/fault.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/virtio_abi.h"
#include "devices/internal.h"

#define LOG_SUBSYS "vdev"

/* Extra used-buffer interrupts VS_FAULT_DEV_INTERRUPT_STORM raises. */
#define VS_VDEV_IRQ_STORM 64u

static void vdev_queue_work(void *opaque)
{
	struct vs_vq *vq = opaque;
	struct vs_vdev *vdev = vq->vdev;

	/* spec dev.basic.device-status-field.1: no buffers consumed before
	 * DRIVER_OK; a device that needs a reset stops processing (QEMU's
	 * virtio_error model); spec dev.mmio.mmio-device-register-layout.7:
	 * never touch a queue that is not ready. */
	if (!(vdev->status & VIRTIO_CONFIG_S_DRIVER_OK) ||
	    (vdev->status & VIRTIO_CONFIG_S_DEVICE_NEEDS_RESET) || !vq->ready || vq->broken)
		return;
	vdev->model->handle_queue(vdev, vq);
}

static int is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

int vs_device_create(const char *type, const struct vs_device_params *p,
		     const struct vs_vdev_env *env, struct vs_vdev **out)
{
	const struct vs_device_model *model;

	if (!type)
		return -EINVAL;
	model = vs__device_model_find(type);
	if (!model)
		return -ENOENT;
	return vs__vdev_create(model, p, env, out);
}

int vs__vdev_create(const struct vs_device_model *model, const struct vs_device_params *p,
		    const struct vs_vdev_env *env, struct vs_vdev **out)
{
	struct vs_vdev *vdev;
	uint32_t qmax;
	unsigned i, inited = 0;
	int err;

	if (!model || ((model->num_queues || model->num_queues_for) && !model->handle_queue) ||
	    !env || !env->arena || !env->loop || !out)
		return -EINVAL;
	qmax = (p && p->queue_size_max) ? p->queue_size_max : model->queue_size_max;
	/* Split rings need a power-of-2 size up to 32768 (spec 2.7). */
	if (!is_pow2(qmax) || qmax > VS_VRING_MAX_SIZE)
		return -EINVAL;

	vdev = calloc(1, sizeof(*vdev));
	if (!vdev)
		return -ENOMEM;
	vdev->model = model;
	vdev->arena = env->arena;
	vdev->loop = env->loop;
	vdev->faults = env->faults;
	vdev->seed = env->seed;
	if (p)
		vdev->params = *p;
	vs_vdev_set_label(vdev, model->name);
	/* spec dev.reserved.1: a device MUST offer VIRTIO_F_VERSION_1 - unless
	 * a scenario withholds it on purpose. */
	vdev->features = model->features | VS_BIT(VIRTIO_F_VERSION_1);
	if (p)
		vdev->features = (vdev->features | p->features_add) & ~p->features_remove;

	err = -ENOMEM;
	vdev->config_size = model->config_size;
	if (vdev->config_size) {
		vdev->config = calloc(1, vdev->config_size);
		if (!vdev->config)
			goto out_free_vdev;
	}
	vdev->num_queues = model->num_queues_for ? model->num_queues_for(&vdev->params)
						 : model->num_queues;
	if (vdev->num_queues) {
		vdev->vqs = calloc(vdev->num_queues, sizeof(*vdev->vqs));
		if (!vdev->vqs)
			goto out_free_config;
	}
	for (i = 0; i < vdev->num_queues; i++) {
		err = vs_vq_init(&vdev->vqs[i], vdev, i, qmax);
		if (err)
			goto out_fini_vqs;
		vs_work_init(&vdev->vqs[i].work, vdev_queue_work, &vdev->vqs[i]);
		inited++;
	}
	if (model->init) {
		err = model->init(vdev);
		if (err)
			goto out_fini_vqs;
	}
	*out = vdev;
	return 0;

out_fini_vqs:
	while (inited)
		vs_vq_fini(&vdev->vqs[--inited]);
	free(vdev->vqs);
out_free_config:
	free(vdev->config);
out_free_vdev:
	free(vdev);
	return err;
}

void vs_vdev_destroy(struct vs_vdev *vdev)
{
	unsigned i;

	if (!vdev)
		return;
	for (i = 0; i < vdev->num_queues; i++)
		vs_vq_fini(&vdev->vqs[i]);
	if (vdev->model->fini)
		vdev->model->fini(vdev);
	free(vdev->vqs);
	free(vdev->config);
	free(vdev);
}

uint32_t vs_vdev_device_id(const struct vs_vdev *vdev)
{
	return vdev->model->device_id;
}

const char *vs_vdev_type(const struct vs_vdev *vdev)
{
	return vdev->model->name;
}

void vs_vdev_set_label(struct vs_vdev *vdev, const char *label)
{
	size_t n = label ? strlen(label) : 0;

	if (n >= sizeof(vdev->label))
		n = sizeof(vdev->label) - 1;
	if (n)
		memcpy(vdev->label, label, n);
	vdev->label[n] = '\0';
}

const char *vs_vdev_label(const struct vs_vdev *vdev)
{
	return vdev->label;
}

uint64_t vs_vdev_requests_completed(const struct vs_vdev *vdev)
{
	return vdev->completed;
}

/* ---- Transport binding and the interrupt path ---- */

int vs_vdev_bind(struct vs_vdev *vdev, const struct vs_vdev_transport_ops *ops, void *opaque,
		 unsigned flags)
{
	if (!ops || !ops->interrupt)
		return -EINVAL;
	if (vdev->tops)
		return -EBUSY;
	vdev->tops = ops;
	vdev->topaque = opaque;
	vdev->bind_flags = flags;
	return 0;
}

void vs_vdev_unbind(struct vs_vdev *vdev)
{
	vdev->tops = NULL;
	vdev->topaque = NULL;
	vdev->bind_flags = 0;
}

static void vdev_config_interrupt(struct vs_vdev *vdev)
{
	if (vdev->tops)
		vdev->tops->interrupt(vdev->topaque, VS_VDEV_IRQ_CONFIG, 0);
}

void vs__vdev_vring_interrupt(struct vs_vdev *vdev, unsigned qidx)
{
	if (!vdev->tops)
		return;
	if (vs_fault_hit(vdev->faults, VS_FAULT_DEV_NO_INTERRUPT)) {
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: fault: vq %u used buffer notification dropped",
		       vdev->label, qidx);
		return;
	}
	vdev->tops->interrupt(vdev->topaque, VS_VDEV_IRQ_VRING, qidx);
	/* The driver's handler has run inside the call above and consumed
	 * the used ring, so a second notification now has nothing new. */
	if (vs_fault_hit(vdev->faults, VS_FAULT_DEV_SPURIOUS_INTERRUPT)) {
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: fault: spurious notification on vq %u",
		       vdev->label, qidx);
		vdev->tops->interrupt(vdev->topaque, VS_VDEV_IRQ_VRING, qidx);
	}
	/* A storm: the same, many times over.  Each one reaches the driver's
	 * handler, which must find nothing and return, not spin. */
	if (vs_fault_hit(vdev->faults, VS_FAULT_DEV_INTERRUPT_STORM)) {
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: fault: %u spurious notifications on vq %u",
		       vdev->label, VS_VDEV_IRQ_STORM, qidx);
		for (unsigned i = 0; i < VS_VDEV_IRQ_STORM && vdev->tops; i++)
			vdev->tops->interrupt(vdev->topaque, VS_VDEV_IRQ_VRING, qidx);
	}
}

void vs__vdev_set_needs_reset(struct vs_vdev *vdev)
{
	if (vdev->status & VIRTIO_CONFIG_S_DEVICE_NEEDS_RESET)
		return;
	vdev->status |= VIRTIO_CONFIG_S_DEVICE_NEEDS_RESET;
	vs_log(VS_LOG_WARN, LOG_SUBSYS, "%s: DEVICE_NEEDS_RESET set, status 0x%02x", vdev->label,
	       vdev->status);
	/* spec dev.basic.device-status-field.3: with DRIVER_OK set, a config
	 * change notification follows DEVICE_NEEDS_RESET. */
	if (vdev->status & VIRTIO_CONFIG_S_DRIVER_OK)
		vdev_config_interrupt(vdev);
}

/* ---- Status ---- */

uint8_t vs_vdev_status(struct vs_vdev *vdev)
{
	if (vdev->reset_stale) {
		vdev->reset_stale = 0;
		return vdev->stale_status;
	}
	return vdev->status;
}

uint8_t vs_vdev_status_peek(const struct vs_vdev *vdev)
{
	return vdev->status;
}

void vs_vdev_reset(struct vs_vdev *vdev)
{
	uint8_t before = vdev->status;
	unsigned i;

	/* spec dev.basic.device-reset.2: after the reset no queue access and
	 * no notification: vs_vq_reset also drops queued handler runs. */
	for (i = 0; i < vdev->num_queues; i++)
		vs_vq_reset(&vdev->vqs[i]);
	vdev->driver_features = 0;
	memset(vdev->driver_features_ext, 0, sizeof(vdev->driver_features_ext));
	vdev->driver_features_beyond = 0;
	/* spec dev.basic.device-reset.1: status back to 0. */
	vdev->status = 0;
	if (vdev->model->reset)
		vdev->model->reset(vdev);

	/* A device that reports the reset done late: the first read still
	 * shows the old status (ACKNOWLEDGE if it was 0, so it is visible). */
	vdev->reset_stale = 0;
	if (vs_fault_hit(vdev->faults, VS_FAULT_DEV_RESET_INCOMPLETE)) {
		vdev->reset_stale = 1;
		vdev->stale_status = before ? before : VIRTIO_CONFIG_S_ACKNOWLEDGE;
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: fault: next status read returns 0x%02x",
		       vdev->label, vdev->stale_status);
	}
}

/* Return 0 when the accepted features can be used, -EINVAL otherwise. */
static int vdev_check_features(struct vs_vdev *vdev)
{
	uint64_t acc = vdev->driver_features;

	/* spec dev.basic.feature-bits.2: a set the device cannot use is
	 * refused by not setting FEATURES_OK. */
	if (acc & ~vdev->features) {
		vs_log(VS_LOG_WARN, LOG_SUBSYS,
		       "%s: FEATURES_OK refused: accepted 0x%016llx not offered (offered 0x%016llx)",
		       vdev->label, (unsigned long long)(acc & ~vdev->features),
		       (unsigned long long)vdev->features);
		return -EINVAL;
	}
	if (vdev->driver_features_ext[0] || vdev->driver_features_ext[1] ||
	    vdev->driver_features_beyond) {
		vs_log(VS_LOG_WARN, LOG_SUBSYS,
		       "%s: FEATURES_OK refused: accepted bits above 63 (words 2,3: 0x%08x 0x%08x)",
		       vdev->label, vdev->driver_features_ext[0], vdev->driver_features_ext[1]);
		return -EINVAL;
	}
	/* spec dev.reserved.2: a modern interface needs VERSION_1. */
	if (!(vdev->bind_flags & VS_VDEV_BIND_LEGACY) && !(acc & VS_BIT(VIRTIO_F_VERSION_1))) {
		vs_log(VS_LOG_WARN, LOG_SUBSYS,
		       "%s: FEATURES_OK refused: VIRTIO_F_VERSION_1 not accepted (accepted 0x%016llx)",
		       vdev->label, (unsigned long long)acc);
		return -EINVAL;
	}
	if (vdev->model->validate_features && vdev->model->validate_features(vdev, acc))
		return -EINVAL;
	if (vs_fault_hit(vdev->faults, VS_FAULT_DEV_FEATURES_OK_REFUSE)) {
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: fault: FEATURES_OK refused for 0x%016llx",
		       vdev->label, (unsigned long long)acc);
		return -EINVAL;
	}
	return 0;
}

void vs_vdev_set_status(struct vs_vdev *vdev, uint8_t val)
{
	uint8_t old = vdev->status;
	uint8_t now;
	unsigned i;

	if (val == 0) {
		vs_vdev_reset(vdev);
		return;
	}
	vdev->reset_stale = 0;
	/* DEVICE_NEEDS_RESET is the device's bit: the driver can neither set
	 * it nor clear it; only a reset does. */
	now = (uint8_t)((val & ~VIRTIO_CONFIG_S_DEVICE_NEEDS_RESET) |
			(old & VIRTIO_CONFIG_S_DEVICE_NEEDS_RESET));
	if ((now & VIRTIO_CONFIG_S_FEATURES_OK) && !(old & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    vdev_check_features(vdev))
		now &= (uint8_t)~VIRTIO_CONFIG_S_FEATURES_OK;
	vdev->status = now;

	/* Going live: a driver that filled queues before DRIVER_OK (and kicked
	 * then, which the device ignored) gets them processed now. */
	if (!(old & VIRTIO_CONFIG_S_DRIVER_OK) && (now & VIRTIO_CONFIG_S_DRIVER_OK)) {
		for (i = 0; i < vdev->num_queues; i++)
			if (vdev->vqs[i].ready)
				vs_loop_defer(vdev->loop, &vdev->vqs[i].work);
	}
}

/* ---- Features ---- */

uint64_t vs_vdev_features(const struct vs_vdev *vdev)
{
	return vdev->features;
}

uint64_t vs_vdev_driver_features(const struct vs_vdev *vdev)
{
	return vdev->driver_features;
}

uint32_t vs_vdev_device_features_word(const struct vs_vdev *vdev, uint32_t sel)
{
	if (sel >= 2)
		return 0;
	return (uint32_t)(vdev->features >> (32 * sel));
}

uint32_t vs_vdev_driver_features_word(const struct vs_vdev *vdev, uint32_t sel)
{
	if (sel < 2)
		return (uint32_t)(vdev->driver_features >> (32 * sel));
	if (sel < 4)
		return vdev->driver_features_ext[sel - 2];
	return 0;
}

int vs_vdev_set_driver_features_word(struct vs_vdev *vdev, uint32_t sel, uint32_t val)
{
	uint64_t mask;

	/* spec 3.1.1 step 5: no new features after FEATURES_OK; the device
	 * keeps the set it accepted (QEMU refuses such writes too). */
	if (vdev->status & VIRTIO_CONFIG_S_FEATURES_OK) {
		vs_log(VS_LOG_INFO, LOG_SUBSYS,
		       "%s: driver features word %u = 0x%08x after FEATURES_OK ignored",
		       vdev->label, sel, val);
		return -EBUSY;
	}
	if (sel < 2) {
		mask = 0xffffffffull << (32 * sel);
		vdev->driver_features =
			(vdev->driver_features & ~mask) | ((uint64_t)val << (32 * sel));
	} else if (sel < 4) {
		vdev->driver_features_ext[sel - 2] = val;
	} else if (val) {
		vdev->driver_features_beyond = 1;
	}
	return 0;
}

int vs_vdev_has_feature(const struct vs_vdev *vdev, unsigned bit)
{
	return bit < 64 && (vdev->driver_features & VS_BIT(bit)) != 0;
}

/* ---- Config space ---- */

uint32_t vs_vdev_config_size(const struct vs_vdev *vdev)
{
	return vdev->config_size;
}

uint32_t vs_vdev_config_generation(const struct vs_vdev *vdev)
{
	return vdev->config_generation;
}

static int config_range_ok(const struct vs_vdev *vdev, uint32_t off, uint32_t len)
{
	return off <= vdev->config_size && len <= vdev->config_size - off;
}

int vs_vdev_config_read(const struct vs_vdev *vdev, uint32_t off, void *buf, uint32_t len)
{
	if (!config_range_ok(vdev, off, len))
		return -ERANGE;
	if (len)
		memcpy(buf, vdev->config + off, len);
	return 0;
}

int vs_vdev_config_write(struct vs_vdev *vdev, uint32_t off, const void *buf, uint32_t len)
{
	if (!config_range_ok(vdev, off, len))
		return -ERANGE;
	if (len && vdev->model->config_write)
		vdev->model->config_write(vdev, off, buf, len);
	return 0;
}

int vs_vdev_config_change(struct vs_vdev *vdev, uint32_t off, const void *data, uint32_t len)
{
	if (!config_range_ok(vdev, off, len))
		return -ERANGE;
	if (len)
		memcpy(vdev->config + off, data, len);
	/* spec dev.mmio.mmio-device-register-layout.6: the generation changes
	 * whenever a driver could see an inconsistent config. */
	if (vs_fault_hit(vdev->faults, VS_FAULT_DEV_CONFIG_NO_GENERATION))
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: fault: config changed, generation kept at %u",
		       vdev->label, vdev->config_generation);
	else
		vdev->config_generation++;
	/* Like QEMU, no notification before DRIVER_OK: the driver reads the
	 * config during probe anyway. */
	if (vdev->status & VIRTIO_CONFIG_S_DRIVER_OK)
		vdev_config_interrupt(vdev);
	return 0;
}

/* ---- Queues ---- */

unsigned vs_vdev_num_queues(const struct vs_vdev *vdev)
{
	return vdev->num_queues;
}

struct vs_vq *vs_vdev_queue(struct vs_vdev *vdev, unsigned q)
{
	return q < vdev->num_queues ? &vdev->vqs[q] : NULL;
}

uint32_t vs_vdev_queue_num_max(const struct vs_vdev *vdev, unsigned q)
{
	return q < vdev->num_queues ? vdev->vqs[q].num_max : 0;
}

uint32_t vs_vdev_queue_num(const struct vs_vdev *vdev, unsigned q)
{
	return q < vdev->num_queues ? vdev->vqs[q].num : 0;
}

int vs_vdev_queue_ready(const struct vs_vdev *vdev, unsigned q)
{
	return q < vdev->num_queues ? vdev->vqs[q].ready : 0;
}

uint64_t vs_vdev_queue_addr(const struct vs_vdev *vdev, unsigned q, enum vs_vq_area area)
{
	const struct vs_vq *vq;

	if (q >= vdev->num_queues)
		return 0;
	vq = &vdev->vqs[q];
	switch (area) {
	case VS_VQ_AREA_DESC:
		return vq->desc_gpa;
	case VS_VQ_AREA_DRIVER:
		return vq->avail_gpa;
	case VS_VQ_AREA_DEVICE:
		return vq->used_gpa;
	}
	return 0;
}

int vs_vdev_queue_set_num(struct vs_vdev *vdev, unsigned q, uint32_t num)
{
	struct vs_vq *vq = vs_vdev_queue(vdev, q);

	if (!vq)
		return -EINVAL;
	/* spec drv.mmio.mmio-device-register-layout.10: not while ready; the
	 * device keeps using the size it started with. */
	if (vq->ready) {
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: vq %u: size %u written while ready, ignored",
		       vdev->label, q, num);
		return -EBUSY;
	}
	vq->num = num;
	return 0;
}

int vs_vdev_queue_set_addr(struct vs_vdev *vdev, unsigned q, enum vs_vq_area area, uint64_t gpa)
{
	struct vs_vq *vq = vs_vdev_queue(vdev, q);

	if (!vq)
		return -EINVAL;
	if (vq->ready) {
		vs_log(VS_LOG_INFO, LOG_SUBSYS,
		       "%s: vq %u: area %d address 0x%llx written while ready, ignored", vdev->label,
		       q, (int)area, (unsigned long long)gpa);
		return -EBUSY;
	}
	switch (area) {
	case VS_VQ_AREA_DESC:
		vq->desc_gpa = gpa;
		return 0;
	case VS_VQ_AREA_DRIVER:
		vq->avail_gpa = gpa;
		return 0;
	case VS_VQ_AREA_DEVICE:
		vq->used_gpa = gpa;
		return 0;
	}
	return -EINVAL;
}

/* Check a packed queue being enabled (spec 2.8.10.1).  0 or -EIO. */
static int vdev_queue_check_packed(struct vs_vq *vq)
{
	struct vs_vdev *vdev = vq->vdev;

	/* spec drv.mmio.mmio-device-register-layout.9 and 2.8: up to
	 * QueueSizeMax, any size from 1 (not only powers of 2). */
	if (vq->num == 0 || vq->num > vq->num_max || vq->num > VS_PACKED_MAX_SIZE)
		return vs__vq_fail(vq, "packed queue size %u invalid (max %u)", vq->num,
				   vq->num_max);
	if (!vs_arena_translate(vdev->arena, vq->desc_gpa, VS_DESC_SIZE(vq->num)))
		return vs__vq_fail(vq, "descriptor ring 0x%llx+%u not in guest RAM",
				   (unsigned long long)vq->desc_gpa, VS_DESC_SIZE(vq->num));
	if (!vs_arena_translate(vdev->arena, vq->avail_gpa, VS_PACKED_EVENT_SIZE))
		return vs__vq_fail(vq, "driver event suppression 0x%llx not in guest RAM",
				   (unsigned long long)vq->avail_gpa);
	if (!vs_arena_translate(vdev->arena, vq->used_gpa, VS_PACKED_EVENT_SIZE))
		return vs__vq_fail(vq, "device event suppression 0x%llx not in guest RAM",
				   (unsigned long long)vq->used_gpa);
	return 0;
}

/* Check a queue being enabled: size and ring areas.  0 or -EIO (broken). */
static int vdev_queue_check(struct vs_vq *vq)
{
	struct vs_vdev *vdev = vq->vdev;

	/* The ring's features are final once FEATURES_OK is set: fix the
	 * layout and what the hot paths test now. */
	vq->packed = vs_vdev_has_feature(vdev, VIRTIO_F_RING_PACKED);
	vq->event_idx = vs_vdev_has_feature(vdev, VIRTIO_F_EVENT_IDX);
	vq->indirect = vs_vdev_has_feature(vdev, VIRTIO_F_INDIRECT_DESC);
	vq->in_order = vs_vdev_has_feature(vdev, VIRTIO_F_IN_ORDER);
	/* Nothing read ahead or held back survives a (re-)enable: the areas
	 * may have moved. */
	vq->shadow_avail_idx = vq->last_avail_idx;
	vq->avail_cache_n = 0;
	vq->fill_count = 0;
	vq->used_cache_n = 0;
	if (vq->packed)
		return vdev_queue_check_packed(vq);
	/* spec drv.mmio.mmio-device-register-layout.9 and 2.7: a size up to
	 * QueueSizeMax and a power of 2. */
	if (!is_pow2(vq->num) || vq->num > vq->num_max)
		return vs__vq_fail(vq, "queue size %u invalid (max %u, power of 2 required)",
				   vq->num, vq->num_max);
	if (!vs_arena_translate(vdev->arena, vq->desc_gpa, VS_DESC_SIZE(vq->num)))
		return vs__vq_fail(vq, "descriptor area 0x%llx+%u not in guest RAM",
				   (unsigned long long)vq->desc_gpa, VS_DESC_SIZE(vq->num));
	if (!vs_arena_translate(vdev->arena, vq->avail_gpa, VS_AVAIL_SIZE(vq->num)))
		return vs__vq_fail(vq, "driver area 0x%llx+%u not in guest RAM",
				   (unsigned long long)vq->avail_gpa, VS_AVAIL_SIZE(vq->num));
	if (!vs_arena_translate(vdev->arena, vq->used_gpa, VS_USED_SIZE(vq->num)))
		return vs__vq_fail(vq, "device area 0x%llx+%u not in guest RAM",
				   (unsigned long long)vq->used_gpa, VS_USED_SIZE(vq->num));
	return 0;
}

int vs_vdev_queue_set_ready(struct vs_vdev *vdev, unsigned q, int ready)
{
	struct vs_vq *vq = vs_vdev_queue(vdev, q);

	if (!vq)
		return -EINVAL;
	if (!ready) {
		/* The driver stops using the queue: no more handler runs.
		 * Indices stay: only a (queue) reset starts the ring over. */
		vq->ready = 0;
		vs_loop_cancel(vdev->loop, &vq->work);
		return 0;
	}
	if (vq->ready)
		return 0;
	/* The register reads back what was written even when the setup is
	 * unusable; the queue is then broken and the device needs a reset. */
	vq->ready = 1;
	vdev_queue_check(vq);
	return 0;
}

int vs_vdev_queue_reset(struct vs_vdev *vdev, unsigned q)
{
	struct vs_vq *vq = vs_vdev_queue(vdev, q);

	if (!vq)
		return -EINVAL;
	/* spec dev.basic.virtqueues.virtqueue-reset.virtqueue-reset.1 and .2 */
	vs_vq_reset(vq);
	return 0;
}

int vs_vdev_kick_data(struct vs_vdev *vdev, unsigned q, uint16_t next_off, unsigned next_wrap)
{
	struct vs_vq *vq = vs_vdev_queue(vdev, q);

	if (vq) {
		/* spec 2.9: where the driver will write next.  Kept for tests and
		 * traces; the ring itself stays the truth the device acts on. */
		vq->notify_data_valid = 1;
		vq->notify_next_off = next_off;
		vq->notify_next_wrap = (uint8_t)(next_wrap & 1u);
		if (vq->packed && vq->ready && next_off >= vq->num)
			vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: vq %u: notification data offset %u >= "
			       "queue size %u", vdev->label, q, next_off, vq->num);
	}
	return vs_vdev_kick(vdev, q);
}

int vs_vdev_kick(struct vs_vdev *vdev, unsigned q)
{
	struct vs_vq *vq = vs_vdev_queue(vdev, q);

	if (!vq) {
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: notification for queue %u, device has %u",
		       vdev->label, q, vdev->num_queues);
		return -EINVAL;
	}
	vs_loop_defer(vdev->loop, &vq->work);
	return 0;
}
