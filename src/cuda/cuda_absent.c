/* cuda_absent.c - the CUDA backend when the build found no nvcc: every entry
 * point reports that CUDA is not compiled in. */
#include "cuda/cuda_backend.h"

#include <stdio.h>

int prism_cuda_available(char *why, unsigned why_len) {
  snprintf(why, why_len, "this prism was built without CUDA (no nvcc at build time)");
  return 0;
}
