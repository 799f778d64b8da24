/* mpi_absent.c - the build without MPI (no mpicc, or make MPI=0): one
 * process, as before; under mpirun every rank would solve alone, so that is
 * refused. */
#include <stdio.h>
#include <stdlib.h>

#include "mpi/prism_mpi.h"

int prism_mpi_main(int argc, char **argv, int (*color)(int, char **)) {
  const char *size = getenv("OMPI_COMM_WORLD_SIZE");
  if (size && atoi(size) > 1) {
    fprintf(stderr, "prism: error: launched by mpirun, but this prism was built without "
                    "MPI (no mpicc at build time)\n");
    return 1;
  }
  return color(argc, argv);
}

int prism_mpi_solve_begin(const prism_graph *g, prism_solve_opts *o, const char **output) {
  return 0;
}

void prism_mpi_solve_end(const prism_graph *g, const prism_solve_opts *o,
                         prism_solve_result *r) {}

int prism_mpi_rank(void) { return 0; }
int prism_mpi_size(void) { return 1; }
