/* gen_large.c - large sparse graphs for the scaling benchmark, fast enough
 * for 10^6 vertices (bench/gen_graph.py is the readable generator for small
 * ones). Writes an edge list (1-based "u v" lines, a "# ..." header) to
 * stdout; deterministic for the arguments (splitmix64 from SEED).
 *
 *   gen_large gnm N M SEED        M distinct random edges (G(n, m))
 *   gen_large geometric N D SEED  points in the unit square, an edge when
 *                                 closer than r, r chosen for average degree D
 *   gen_large powerlaw N M SEED   Chung-Lu: vertex i has weight (i+1)^-1/2
 *                                 (degree exponent ~3), M edge draws with
 *                                 both ends drawn by weight, duplicates and
 *                                 loops dropped
 *
 * Build: gcc -O2 -o build/gen_large bench/gen_large.c -lm */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;
static uint64_t next64(void) {
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
static double unif(void) { return (double)(next64() >> 11) * 0x1.0p-53; }
static uint64_t below(uint64_t n) { return (uint64_t)(((__uint128_t)next64() * n) >> 64); }

static int cmp64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* Sort, drop duplicates, print. Edges packed as u << 32 | v with u < v. */
static void emit(uint64_t *e, size_t m, const char *what) {
  qsort(e, m, sizeof *e, cmp64);
  size_t w = 0;
  for (size_t i = 0; i < m; i++)
    if (w == 0 || e[i] != e[w - 1]) e[w++] = e[i];
  printf("# gen_large %s, %zu edges\n", what, w);
  for (size_t i = 0; i < w; i++)
    printf("%u %u\n", (unsigned)(e[i] >> 32) + 1, (unsigned)(e[i] & 0xffffffffu) + 1);
}

static uint64_t pack(uint64_t u, uint64_t v) { return u < v ? u << 32 | v : v << 32 | u; }

static void gnm(uint64_t n, uint64_t m, const char *what) {
  uint64_t *e = malloc(m * sizeof *e);
  size_t got = 0;
  while (got < m) { /* top up until m distinct edges */
    while (got < m) {
      uint64_t u = below(n), v = below(n);
      if (u != v) e[got++] = pack(u, v);
    }
    qsort(e, got, sizeof *e, cmp64);
    size_t w = 0;
    for (size_t i = 0; i < got; i++)
      if (w == 0 || e[i] != e[w - 1]) e[w++] = e[i];
    got = w;
  }
  emit(e, m, what);
  free(e);
}

static void geometric(uint64_t n, double deg, const char *what) {
  double r = sqrt(deg / (M_PI * (double)n));
  uint64_t cells = (uint64_t)(1.0 / r);
  if (cells < 1) cells = 1;
  double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
  uint64_t *cell = malloc(n * sizeof *cell), *start = calloc(cells * cells + 1, sizeof *start);
  uint64_t *order = malloc(n * sizeof *order);
  for (uint64_t i = 0; i < n; i++) {
    x[i] = unif();
    y[i] = unif();
    uint64_t cx = (uint64_t)(x[i] * cells), cy = (uint64_t)(y[i] * cells);
    if (cx >= cells) cx = cells - 1;
    if (cy >= cells) cy = cells - 1;
    cell[i] = cy * cells + cx;
    start[cell[i] + 1]++;
  }
  for (uint64_t c = 0; c < cells * cells; c++) start[c + 1] += start[c];
  uint64_t *fill = malloc(cells * cells * sizeof *fill);
  memcpy(fill, start, cells * cells * sizeof *fill);
  for (uint64_t i = 0; i < n; i++) order[fill[cell[i]]++] = i;
  size_t cap = (size_t)(n * deg) + 1024, m = 0;
  uint64_t *e = malloc(cap * sizeof *e);
  for (uint64_t i = 0; i < n; i++) {
    int64_t cx = (int64_t)(cell[i] % cells), cy = (int64_t)(cell[i] / cells);
    for (int64_t dy = -1; dy <= 1; dy++)
      for (int64_t dx = -1; dx <= 1; dx++) {
        int64_t qx = cx + dx, qy = cy + dy;
        if (qx < 0 || qy < 0 || qx >= (int64_t)cells || qy >= (int64_t)cells) continue;
        uint64_t c = (uint64_t)qy * cells + (uint64_t)qx;
        for (uint64_t p = start[c]; p < start[c + 1]; p++) {
          uint64_t j = order[p];
          if (j <= i) continue;
          double ddx = x[i] - x[j], ddy = y[i] - y[j];
          if (ddx * ddx + ddy * ddy < r * r) {
            if (m == cap) e = realloc(e, (cap *= 2) * sizeof *e);
            e[m++] = pack(i, j);
          }
        }
      }
  }
  emit(e, m, what);
  free(e), free(x), free(y), free(cell), free(start), free(order), free(fill);
}

static void powerlaw(uint64_t n, uint64_t m, const char *what) {
  double *cum = malloc(n * sizeof *cum), s = 0;
  for (uint64_t i = 0; i < n; i++) cum[i] = (s += 1.0 / sqrt((double)i + 1));
  uint64_t *e = malloc(m * sizeof *e);
  size_t w = 0;
  for (uint64_t t = 0; t < m; t++) {
    uint64_t end[2];
    for (int h = 0; h < 2; h++) {
      double q = unif() * s;
      uint64_t lo = 0, hi = n - 1;
      while (lo < hi) {
        uint64_t mid = (lo + hi) / 2;
        if (cum[mid] < q) lo = mid + 1; else hi = mid;
      }
      end[h] = lo;
    }
    if (end[0] != end[1]) e[w++] = pack(end[0], end[1]);
  }
  emit(e, w, what);
  free(e), free(cum);
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: gen_large gnm|geometric|powerlaw N M|D SEED\n");
    return 1;
  }
  uint64_t n = strtoull(argv[2], NULL, 10);
  rng_state = strtoull(argv[4], NULL, 10) * 0x2545F4914F6CDD1DULL + 1;
  char what[256];
  snprintf(what, sizeof what, "%s %s %s %s", argv[1], argv[2], argv[3], argv[4]);
  if (n < 2 || n > (1ull << 31)) return fprintf(stderr, "gen_large: bad N\n"), 1;
  if (!strcmp(argv[1], "gnm") && strtoull(argv[3], NULL, 10) > n / 4 * (n - 1))
    return fprintf(stderr, "gen_large: M too large for G(n, m)\n"), 1;
  if (!strcmp(argv[1], "gnm")) gnm(n, strtoull(argv[3], NULL, 10), what);
  else if (!strcmp(argv[1], "geometric")) geometric(n, atof(argv[3]), what);
  else if (!strcmp(argv[1], "powerlaw")) powerlaw(n, strtoull(argv[3], NULL, 10), what);
  else return fprintf(stderr, "gen_large: unknown kind %s\n", argv[1]), 1;
  return 0;
}
