/* ladder.h - the temperature ladder over all islands (params.ladder = 1,
 * ladder.c; docs/engine.md). Not a public header. */
#ifndef PRISM_ENGINE_LADDER_H
#define PRISM_ENGINE_LADDER_H

#include <stdint.h>

#include "engine/telemetry.h"

typedef struct prism_ladder {
  uint32_t R;            /* slots: every replica of every island */
  uint32_t *rep_of_slot; /* global slot -> replica (engine index) */
  uint32_t *slot_of_rep; /* replica -> global slot */
  /* per replica, at the end of its island's last batch: the energy, the k
   * (0: no batch yet) and the mode it ran */
  int64_t *energy;
  uint32_t *k;
  uint8_t *mode;
  uint64_t sweeps, tried, accepted;
} prism_ladder;

struct engine;
struct island;

void prism_ladder_init(prism_ladder *l, uint32_t R);
void prism_ladder_free(prism_ladder *l);
/* Temperature of global slot s (global_temperature included). */
double prism_ladder_temperature(const struct engine *e, uint32_t s);
/* The island's Metropolis tables from its replicas' current labels (one
 * table per replica; called where the island's config is built). */
void prism_ladder_metro(struct engine *e, struct island *is);
/* After the island's batch, before its population moves: each replica's
 * energy, k and mode, what the next sweep compares. */
void prism_ladder_record(struct engine *e, const struct island *is);
/* One sweep over adjacent global slots (parity alternating), after the
 * round's last island was processed; fills t's swap fields. */
void prism_ladder_sweep(struct engine *e, uint64_t round, prism_telemetry *t);

#endif
