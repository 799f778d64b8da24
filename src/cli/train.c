/* train.c - prism train (FluxNet curriculum training; issue 6, in progress). */
#include <stdio.h>

#include "cli/cli.h"

int prism_cli_train(int argc, char **argv) {
  fprintf(stderr, "prism: error: 'prism train' is not available yet\n");
  return 1;
}
