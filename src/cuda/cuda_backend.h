/* cuda_backend.h - the C face of the CUDA engine (extern "C"). The build
 * compiles the .cu files of src/cuda with nvcc when it is found, else cuda_absent.c. */
#ifndef PRISM_CUDA_BACKEND_H
#define PRISM_CUDA_BACKEND_H

#ifdef __cplusplus
extern "C" {
#endif

/* 1 when a usable CUDA device is present; else 0 and a reason in why. */
int prism_cuda_available(char *why, unsigned why_len);

#ifdef __cplusplus
}
#endif

#endif
