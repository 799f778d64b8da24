/* devices.h - the device matrix of `prism devices` (devices.cu; without
 * CUDA, cuda_absent.c): every CUDA device with its name, memory and
 * multiprocessors and its pinned host<->device bandwidth; for every ordered
 * pair, what the runtime says about peer access (cudaDeviceCanAccessPeer,
 * cudaDeviceGetP2PAttribute: access, native atomics, performance rank) and
 * the bandwidth of a timed cudaMemcpyPeer (direct when peer access could be
 * enabled, else the runtime stages it through the host). No assumed
 * values: every number is read from the runtime or measured. */
#ifndef PRISM_CUDA_DEVICES_H
#define PRISM_CUDA_DEVICES_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Prints the matrix on f, timing copies of `bytes` (rounded to 4 KiB, at
 * least 4 KiB); returns the number of devices. With none (or without
 * CUDA) prints the one line "no CUDA device: WHY" and returns 0. */
int prism_cuda_devices_print(FILE *f, size_t bytes);

#ifdef __cplusplus
}
#endif

#endif
