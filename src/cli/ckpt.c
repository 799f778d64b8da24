/* ckpt.c - --checkpoint, --checkpoint-every and --resume (ckpt.h). */
#include "cli/ckpt.h"

#include <stdarg.h>
#include <stdio.h>

#include "util/timer.h"

static void say(const prism_cli_ckpt *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void say(const prism_cli_ckpt *c, const char *fmt, ...) {
  if (!c->o || !c->o->on_info) return;
  char line[4200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  c->o->on_info(c->o->ctx, line);
}

int prism_cli_ckpt_start(prism_cli_ckpt *c, const prism_graph *g, prism_solve_opts *o,
                         int seed_given, char *err, unsigned err_len) {
  c->o = o;
  c->last = prism_now();
  if (c->resume) {
    if (prism_checkpoint_load(c->resume, g, &c->in, err, err_len)) return -1;
    c->loaded = 1;
    if (!seed_given) o->seed = c->in.seed;
    c->pop = prism_checkpoint_population(&c->in);
    o->start_best = c->in.best_k ? c->in.best : NULL;
    o->start_pop = &c->pop;
    say(c, "resume %s: best %u colors (verified), %u colorings at k %u, seed %llu", c->resume,
        c->in.best_k, c->in.count, c->in.k, (unsigned long long)o->seed);
  }
  if (c->path) {
    prism_checkpoint_init(&c->save, g, o->seed);
    c->saving = 1;
    if (c->loaded) {
      prism_checkpoint_set_population(&c->save, &c->pop);
      if (c->in.best_k) prism_checkpoint_set_best(&c->save, c->in.best, c->in.best_k);
    }
  }
  return 0;
}

void prism_cli_ckpt_improve(prism_cli_ckpt *c, const uint32_t *colors, uint32_t k) {
  if (c->saving && (c->save.best_k == 0 || k < c->save.best_k))
    prism_checkpoint_set_best(&c->save, colors, k);
}

static int write_now(prism_cli_ckpt *c, char *err, unsigned err_len) {
  if (prism_checkpoint_save(&c->save, c->path, err, err_len)) return -1;
  c->writes++;
  say(c, "checkpoint %s: best %u colors, %u colorings at k %u", c->path, c->save.best_k,
      c->save.count, c->save.k);
  return 0;
}

void prism_cli_ckpt_population(prism_cli_ckpt *c, const prism_population *p, int final) {
  if (!c->saving) return;
  const double now = prism_now();
  if (!final && now - c->last < c->every) return;
  prism_checkpoint_set_population(&c->save, p);
  if (final) return; /* written by prism_cli_ckpt_finish with the result */
  c->last = now;
  char err[4200];
  if (write_now(c, err, sizeof err)) say(c, "warning: %s", err);
}

int prism_cli_ckpt_finish(prism_cli_ckpt *c, const prism_solve_result *r, char *err,
                          unsigned err_len) {
  if (!c->saving) return 0;
  if (r->best_k) prism_cli_ckpt_improve(c, r->colors, r->best_k);
  if (c->save.best_k == 0 && c->save.n > 0) { /* -k below the bound: nothing to resume */
    say(c, "checkpoint %s not written: no coloring", c->path);
    return 0;
  }
  return write_now(c, err, err_len);
}

void prism_cli_ckpt_free(prism_cli_ckpt *c) {
  if (c->saving) prism_checkpoint_free(&c->save);
  if (c->loaded) prism_checkpoint_free(&c->in);
  c->saving = c->loaded = 0;
}
