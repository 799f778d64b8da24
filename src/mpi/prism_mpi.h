/* prism_mpi.h - `mpirun -np N prism color ...`: each rank runs the engine on
 * its share of the islands, with its own seed; every params.migrate_rounds
 * rounds the ranks exchange (synchronously) the stop flag, the lower bound
 * and the best k, the best coloring when it improved (verified by every rank
 * before it is taken, so rank 0 prints only verified colorings), and each
 * rank's best coloring goes to the next rank on a ring. Rank 0 alone
 * prints and writes. Built from mpi.c with mpicc; mpi_absent.c otherwise
 * (docs/mpi.md). */
#ifndef PRISM_MPI_H
#define PRISM_MPI_H

#include "engine/solve.h"
#include "graph/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Runs color(argc, argv): under mpirun as one rank of the job (MPI_Init,
 * the ranks' agreement, MPI_Finalize, every rank returning rank 0's exit
 * code), else exactly as a plain call. */
int prism_mpi_main(int argc, char **argv, int (*color)(int, char **));

/* Right before prism_solve, on every rank: the ranks agree that each read
 * the same graph (a rank that failed before, through prism_mpi_main, says
 * so here); then o gets this rank's seed, island share and the exchange,
 * and ranks other than 0 lose the outputs (output, telemetry, trace,
 * status lines, Q-table). Returns 0, or -1 when a rank failed (the message
 * is printed). Without mpirun: nothing, 0. */
int prism_mpi_solve_begin(const prism_graph *g, prism_solve_opts *o, const char **output);

/* Right after prism_solve: the last exchanges until every rank is done;
 * r then holds the global best coloring (verified here), the largest lower
 * bound, the status from them, and the moves and batches of every rank. */
void prism_mpi_solve_end(const prism_graph *g, const prism_solve_opts *o,
                         prism_solve_result *r);

/* The rank and the number of ranks (0 and 1 without mpirun). */
int prism_mpi_rank(void);
int prism_mpi_size(void);

#ifdef __cplusplus
}
#endif

#endif
