/* ladder.c - one temperature ladder over every replica of every island
 * (params.ladder = 1; 0: each island keeps its own, island.c). With the
 * CUDA engine island j runs on device j mod D, so this ladder spans the
 * devices.
 *
 * Global slot s (0 .. R-1, all islands' replicas) has the temperature
 * temp_min (temp_max / temp_min)^(s / (R-1)) global_temperature. The ladder
 * holds labels only: which replica holds which slot. Once per round (every
 * island ran one batch), when the round's last island has been processed,
 * one sweep over adjacent slots of alternating parity swaps labels by the
 * Metropolis rule on the energies the replicas had at the end of their
 * island's batch of that round, between replicas that ran that batch at the
 * same k and in the same mode only (other energies are not comparable).
 * The colorings stay where they are.
 *
 * An island picks up its replicas' labels when its next config is built
 * (prism_ladder_metro from build_cfg). Config builds happen at the same
 * points of the host's sequence on both backends, and the CUDA engine
 * copies a replica's table at the launch that follows its island's config
 * build (before any later sweep can rebuild it), so an island's batch runs
 * with the same temperatures on the CPU and the GPU. */
#include "engine/ladder.h"

#include <math.h>
#include <stdlib.h>

#include "engine/engine_internal.h"
#include "util/check.h"
#include "util/philox.h"

#define LADDER_STREAM 0x6C616472u /* "ladr": the sweeps' Philox stream */

void prism_ladder_init(prism_ladder *l, uint32_t R) {
  l->R = R;
  l->rep_of_slot = PRISM_MALLOC((size_t)R * sizeof *l->rep_of_slot);
  l->slot_of_rep = PRISM_MALLOC((size_t)R * sizeof *l->slot_of_rep);
  l->energy = PRISM_CALLOC(R, sizeof *l->energy);
  l->k = PRISM_CALLOC(R, sizeof *l->k);
  l->mode = PRISM_CALLOC(R, sizeof *l->mode);
  for (uint32_t s = 0; s < R; s++) l->rep_of_slot[s] = l->slot_of_rep[s] = s;
  l->sweeps = 0;
}

void prism_ladder_free(prism_ladder *l) {
  free(l->rep_of_slot);
  free(l->slot_of_rep);
  free(l->energy);
  free(l->k);
  free(l->mode);
}

double prism_ladder_temperature(const engine *e, uint32_t s) {
  const double lo = e->p.temp_min, hi = e->p.temp_max;
  const double t = e->R <= 1 ? lo : lo * pow(hi / lo, (double)s / (double)(e->R - 1));
  return t * e->p.global_temperature;
}

void prism_ladder_metro(engine *e, island *is) {
  const prism_ladder *l = &e->ladder;
  for (uint32_t i = 0; i < is->R; i++) {
    uint32_t *thr = is->metro + (size_t)i * PRISM_METRO_LEVELS;
    const uint32_t s = l->slot_of_rep[is->first + i];
    prism_metro_table(prism_ladder_temperature(e, s), thr);
    is->rep[i].metro_thr = thr;
    is->rep[i].slot = s;
  }
}

void prism_ladder_record(engine *e, const island *is) {
  prism_ladder *l = &e->ladder;
  for (uint32_t i = 0; i < is->R; i++) {
    const prism_replica *r = &is->rep[i];
    l->energy[is->first + i] = r->energy;
    l->k[is->first + i] = is->k;
    l->mode[is->first + i] = (uint8_t)r->mode;
  }
}

/* The Metropolis rule of prism_island_exchange: labels swap with
 * probability min(1, exp((1/Ti - 1/Tj)(Ei - Ej))); at temperature 0 the
 * colder slot takes the lower energy, and otherwise swaps with
 * probability 1/e. */
static int accept(double Ti, double Tj, int64_t ei, int64_t ej, uint32_t u) {
  const double Ei = (double)ei / PRISM_EUNIT, Ej = (double)ej / PRISM_EUNIT;
  const double x = (Ti > 0 && Tj > 0) ? (1.0 / Ti - 1.0 / Tj) * (Ei - Ej) : (Ei > Ej ? 1 : -1);
  return x >= 0 || (double)u < exp(x) * 4294967296.0;
}

void prism_ladder_sweep(engine *e, uint64_t round, prism_telemetry *t) {
  prism_ladder *l = &e->ladder;
  uint32_t tried = 0, accepted = 0;
  const uint32_t parity = (uint32_t)(l->sweeps++ & 1);
  prism_rng rng;
  prism_rng_init(&rng, e->o->seed, LADDER_STREAM, (uint32_t)round, round >> 32);
  for (uint32_t s = parity; s + 1 < l->R; s += 2) {
    const uint32_t i = l->rep_of_slot[s], j = l->rep_of_slot[s + 1];
    if (l->k[i] == 0 || l->k[i] != l->k[j] || l->mode[i] != l->mode[j]) continue;
    const uint32_t u = prism_rng_u32(&rng);
    tried++;
    if (accept(prism_ladder_temperature(e, s), prism_ladder_temperature(e, s + 1),
               l->energy[i], l->energy[j], u)) {
      l->rep_of_slot[s] = j;
      l->rep_of_slot[s + 1] = i;
      l->slot_of_rep[j] = s;
      l->slot_of_rep[i] = s + 1;
      accepted++;
    }
  }
  l->tried += tried;
  l->accepted += accepted;
  t->swaps_tried = tried;
  t->swap_acceptance = tried ? (double)accepted / tried : 0;
}
