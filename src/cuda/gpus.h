/* gpus.h - which GPUs a process uses when several ranks share a host
 * (`mpirun -np N prism color --backend cuda`; docs/multigpu.md). Plain C,
 * built with or without CUDA. */
#ifndef PRISM_CUDA_GPUS_H
#define PRISM_CUDA_GPUS_H

#include <stddef.h>

/* The devices of local rank `rank` of `size` ranks on a host with `count`
 * devices, into out[] (at most `cap`); returns how many. One rank (or
 * size <= 1): all of them. More devices than ranks: contiguous shares, the
 * first count % size ranks one more. More ranks than devices: device
 * rank mod count. */
int prism_gpus_share(int count, int rank, int size, int *out, int cap);

/* This process's local rank and the ranks on its host from Open MPI's
 * environment (OMPI_COMM_WORLD_LOCAL_RANK / _LOCAL_SIZE); 0 and 1 when
 * not under mpirun. */
void prism_gpus_local(int *rank, int *size);

/* out = "a,b,c" for the devices (the --gpus syntax). */
void prism_gpus_format(const int *dev, int n, char *out, size_t len);

#endif
