/* lib_pic.c - one fixed-work solve through the library (max_batches, no time
 * limit), to compare the -fPIC shared library with the static one:
 * lib_pic GRAPH BATCHES SEED -> "seconds k". */
#include <prism.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  if (argc != 4) return 1;
  prism_ctx *p = prism_new();
  if (prism_load_file(p, argv[1], NULL) || prism_set_option(p, "max_batches", argv[2]) ||
      prism_set_option(p, "seed", argv[3]) || prism_set_param(p, "time_limit", 0) ||
      prism_set_option(p, "backend", "cpu") || prism_run(p)) {
    fprintf(stderr, "lib_pic: %s\n", prism_error(p));
    return 1;
  }
  printf("%.3f %u\n", prism_result_seconds(p), prism_result_k(p));
  prism_free(p);
  return 0;
}
