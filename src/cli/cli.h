/* cli.h - subcommands of the prism command that live in their own files. */
#ifndef PRISM_CLI_CLI_H
#define PRISM_CLI_CLI_H

/* prism train GRAPH... --qtable FILE --episodes N --time-limit S */
int prism_cli_train(int argc, char **argv);

/* prism devices [--mib N]: the CUDA device matrix */
int prism_cli_devices(int argc, char **argv);

#endif
