/* devices.c - prism devices [--mib N]: the CUDA device matrix
 * (cuda/devices.h). Exit 0, also when there is no device (one line says
 * so); 1 on a usage error. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cuda/devices.h"

int prism_cli_devices(int argc, char **argv) {
  static const struct option opts[] = {{"mib", required_argument, 0, 'm'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  long mib = 256;
  int c;
  char *end;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    if (c == 'h') {
      puts("usage: prism devices [--mib N]\n"
           "every CUDA device (name, memory, SMs, pinned host<->device bandwidth) and every\n"
           "pair (peer access, P2P attributes, timed cudaMemcpyPeer of N MiB, default 256);\n"
           "one line 'no CUDA device: ...' when there is none (exit 0)");
      return 0;
    }
    if (c != 'm') return 1;
    mib = strtol(optarg, &end, 10);
    if (*end || mib < 1 || mib > 16384) {
      fprintf(stderr, "prism: error: --mib needs an integer in [1, 16384], got '%s'\n", optarg);
      return 1;
    }
  }
  if (optind != argc) {
    fprintf(stderr, "prism: error: devices takes no argument\n");
    return 1;
  }
  prism_cuda_devices_print(stdout, (size_t)mib << 20);
  fflush(stdout);
  return 0;
}
