/*
 * registry.c - the table of device models.  A new model is one line in
 * VS_DEVICE_MODELS below plus its extern in devices/internal.h.
 */
#include <stddef.h>
#include <string.h>

#include "devices/internal.h"

/* X(name): the model vs__<name>_model, created by type string "<name>". */
#define VS_DEVICE_MODELS(X) \
	X(rng) \
	X(console) \
	X(blk) \
	X(net)

#define MODEL_PTR(n) &vs__##n##_model,
#define MODEL_NAME(n) #n,

static const struct vs_device_model *const models[] = { VS_DEVICE_MODELS(MODEL_PTR) NULL };
static const char *const names[] = { VS_DEVICE_MODELS(MODEL_NAME) NULL };

const struct vs_device_model *vs__device_model_find(const char *name)
{
	size_t i;

	for (i = 0; models[i]; i++)
		if (!strcmp(models[i]->name, name))
			return models[i];
	return NULL;
}

const char *const *vs_device_types(void)
{
	return names;
}
