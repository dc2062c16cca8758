/*
 * scenario_internal.h - shared by the scenario parser's two files only
 * (scenario.c: the file and the machine; scenario_step.c: the steps):
 * the parse context and the JSON helpers that check a value where it is
 * read and name its path in the diagnostic.
 */
#ifndef VS_SCENARIO_INTERNAL_H
#define VS_SCENARIO_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "harness/diag.h"
#include "harness/scenario.h"

/* JSON paths longer than this are cut, marked by a trailing "...". */
#define PATH_MAX_LEN 128

struct pctx {
	struct vs_diag *diag;
	const struct vs_scenario *scn;
};

/* "string", "number", ... "nothing" for NULL: for "got X" in messages. */
const char *vs__scn_json_type(const cJSON *v);
/* dst = parent.key / parent[i], each PATH_MAX_LEN bytes. */
void vs__scn_child_path(char *dst, const char *parent, const char *key);
void vs__scn_index_path(char *dst, const char *parent, size_t i);
/* Refuse keys outside allowed (NULL-terminated) and duplicate keys. */
int vs__scn_check_keys(struct pctx *c, const cJSON *obj, const char *path,
		       const char *const *allowed);
/*
 * Read obj.key.  Each returns 1 when present and valid, 0 when absent
 * (and not required), -EINVAL with the diagnostic set otherwise.  Strings
 * are 1 to outlen-1 characters; integers in [min, max].
 */
int vs__scn_get_string(struct pctx *c, const cJSON *obj, const char *path, const char *key,
		       int required, char *out, size_t outlen);
int vs__scn_get_int(struct pctx *c, const cJSON *obj, const char *path, const char *key,
		    int required, double min, double max, uint64_t *out);
int vs__scn_get_bool(struct pctx *c, const cJSON *obj, const char *path, const char *key,
		     int *out);
/* Index of s in names[0..n), or -1. */
int vs__scn_name_index(const char *const *names, size_t n, const char *s);

/* One step object at path (scenario_step.c); s has its devices parsed. */
int vs__scn_parse_step(struct pctx *c, const cJSON *st, const char *path,
		       const struct vs_scenario *s, struct vs_scn_step *out);

/* ---- console (scenario_console.c) ---- */
/* The keys of the console.* steps, for the op table. */
extern const char *const vs__scn_k_console_port[];
extern const char *const vs__scn_k_console_write[];
extern const char *const vs__scn_k_console_input[];
extern const char *const vs__scn_k_console_read[];
extern const char *const vs__scn_k_console_add[];
extern const char *const vs__scn_k_console_resize[];
extern const char *const vs__scn_k_console_emerg[];
/* machine.devices[i].ports / cols / rows: read for a console, refused for
 * another type.  0 or -EINVAL. */
int vs__scn_parse_console_device(struct pctx *c, const cJSON *d, const char *path,
				 struct vs_scn_device *out);
/* The values of a console.* step (out->op set, keys checked).  0 or
 * -EINVAL / -ENOMEM; what it allocated is freed by the next call. */
int vs__scn_parse_console_step(struct pctx *c, const cJSON *st, const char *path,
			       struct vs_scn_step *out);
void vs__scn_free_console_step(struct vs_scn_step *st);

/* ---- blk (scenario_blk.c) ---- */
extern const char *const vs__scn_k_blk_write[];
extern const char *const vs__scn_k_blk_read[];
extern const char *const vs__scn_k_blk_range[];
extern const char *const vs__scn_k_blk_plain[];
extern const char *const vs__scn_k_blk_get_id[];
extern const char *const vs__scn_k_blk_get_lifetime[];
/* machine.devices[i].capacity_sectors, read_only, queues, seg_max, serial,
 * backend, ioerr_sectors, endurance_sectors, worn_sectors: read for a blk
 * device, refused for another type.  0 or -EINVAL. */
int vs__scn_parse_blk_device(struct pctx *c, const cJSON *d, const char *path,
			     struct vs_scn_device *out);
/* The values of a blk.* step (out->op set, keys checked).  0 or -EINVAL. */
int vs__scn_parse_blk_step(struct pctx *c, const cJSON *st, const char *path,
			   struct vs_scn_step *out);

/* ---- net (scenario_net.c) ---- */
extern const char *const vs__scn_k_net_send[];
extern const char *const vs__scn_k_net_expect[];
extern const char *const vs__scn_k_net_rx_mode[];
extern const char *const vs__scn_k_net_mac_table[];
extern const char *const vs__scn_k_net_set_mac[];
extern const char *const vs__scn_k_net_vlan[];
extern const char *const vs__scn_k_net_link[];
extern const char *const vs__scn_k_net_queue_pairs[];
extern const char *const vs__scn_k_net_plain[];
/* machine.devices[i].mac, mtu, queue_pairs, link, peer: read for a net
 * device, refused for another type (peer names resolved later, by
 * vs__scn_resolve_net_peers).  0 or -EINVAL. */
int vs__scn_parse_net_device(struct pctx *c, const cJSON *d, const char *path,
			     struct vs_scn_device *out);
/* Once every device is parsed: each "peer" names another net device,
 * pairs are mutual and no device is in two.  0 or -EINVAL. */
int vs__scn_resolve_net_peers(struct pctx *c, const cJSON *devs, struct vs_scenario *s);
/* The values of a net.* step (out->op set, keys checked).  0 or -EINVAL. */
int vs__scn_parse_net_step(struct pctx *c, const cJSON *st, const char *path,
			   struct vs_scn_step *out);

#endif /* VS_SCENARIO_INTERNAL_H */
