/* mbrl_dyna.c - Dyna-Q with the world model: after each real transition,
 * synthetic transitions (a state from the buffer, a random action, the
 * ensemble's mean prediction) update the Q-table with a step size scaled by
 * the model's confidence in that prediction. */
#include <math.h>

#include "control/mbrl.h"

uint32_t prism_mbrl_dyna(prism_mbrl *f, uint32_t n, const prism_params *p) {
  if (f->buf.count == 0) return 0;
  double in[PRISM_MBRL_IN], y[PRISM_MBRL_OUT], x2[PRISM_MBRL_DIM];
  uint32_t made = 0;
  for (uint32_t j = 0; j < n; j++) {
    const uint32_t i = prism_mbrl_buffer_sample(&f->buf, &f->rng);
    const double *x = prism_mbrl_buffer_state(&f->buf, i);
    const int a = (int)prism_rng_below(&f->rng, PRISM_MBRL_ACTIONS);
    prism_mbrl_input(x, a, in);
    const double dis = prism_mbrl_model_predict(&f->model, in, y);
    const double conf = exp(-dis / p->mbrl_conf_scale);
    if (!(conf > 0)) continue;
    prism_mbrl_simulate(x, a, y, &f->start, p->stagnation_batches, x2);
    const int done = y[PRISM_MBRL_Y_DONE] > 0.5;
    prism_mbrl_q_update(f, prism_mbrl_state_index(x), a, y[PRISM_MBRL_Y_REWARD],
                        prism_mbrl_state_index(x2), done, p->fluxnet_alpha * conf, p);
    made++;
  }
  return made;
}
