/*
 * prng.h - the seeded pseudo-random generator every random choice comes from.
 *
 * xoshiro256** seeded through splitmix64.  Each consumer (device model,
 * fault switches, fuzzer) takes its own stream from the machine seed and a
 * stream name, so adding a consumer never shifts another's numbers: the
 * same scenario and seed give the same bytes.
 */
#ifndef VS_PRNG_H
#define VS_PRNG_H

#include <stddef.h>
#include <stdint.h>

struct vs_prng {
	uint64_t s[4];
};

void vs_prng_seed(struct vs_prng *p, uint64_t seed);
/* Seed from (seed, stream name): independent streams for each consumer. */
void vs_prng_seed_stream(struct vs_prng *p, uint64_t seed, const char *stream);
uint64_t vs_prng_next(struct vs_prng *p);
/* Uniform in [0, bound); bound 0 returns 0.  No modulo bias. */
uint64_t vs_prng_below(struct vs_prng *p, uint64_t bound);
/* 1 with probability num/den (den > 0). */
int vs_prng_chance(struct vs_prng *p, uint32_t num, uint32_t den);
void vs_prng_fill(struct vs_prng *p, void *buf, size_t len);

#endif /* VS_PRNG_H */
