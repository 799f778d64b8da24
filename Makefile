# prism - graph coloring solver. One Makefile; it says what it found.
#
#   make                 build/prism and build/prism_tests (-O3 -g)
#   make test            run the unit and integration tests
#   make SANITIZER=1     the same in build-san/ with ASan + UBSan
#   make check           README's test command: tests, sanitizer tests, fuzz smoke, CUDA compile,
#                        the quick GPU tests in the CUDA emulator
#   make emu-test        the GPU tests in the CPU emulator of CUDA (dev/cuda/emu; EMU_SAN=1: ASan + UBSan)
#   make fuzz            libFuzzer target for the parsers (clang)
#   make CUDA=0 / MPI=0  switch a backend off; CUDA_ARCH=sm_90 by default
#   make gpu-test        build with CUDA and run the GPU tests (on a GPU machine)
#   make install PREFIX=DIR  bin/prism, include/prism.h, lib/libprism.{a,so*}, lib/pkgconfig/prism.pc

CC       ?= gcc
NVCC     ?= $(shell command -v nvcc 2>/dev/null || ls /usr/local/cuda/bin/nvcc 2>/dev/null)
MPICC    ?= $(shell command -v mpicc 2>/dev/null)
CUDA_ARCH ?= sm_90
CUDA_HOME ?= $(patsubst %/bin/nvcc,%,$(NVCC))

ifeq ($(CUDA),0)
  NVCC :=
endif
ifeq ($(MPI),0)
  MPICC :=
endif

ifeq ($(SANITIZER),1)
  BUILD   ?= build-san
  OPT     := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
  LDOPT   := -fsanitize=address,undefined
  NVCC    :=
else
  BUILD   ?= build
  OPT     := -O3 -g
  LDOPT   :=
endif

CFLAGS   := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wno-unused-parameter -Isrc $(OPT) -pthread
LDLIBS   := -lm -pthread
CFLAGS   += -Iinclude

HAVE_NCCL := $(if $(wildcard $(CUDA_HOME)/include/nccl.h /usr/include/nccl.h),1,0)

LIB_SRC  := $(filter-out src/cli/main.c src/cuda/cuda_absent.c src/mpi/%.c,$(wildcard src/*/*.c))
CU_SRC   := $(wildcard src/cuda/*.cu)
TEST_SRC := $(wildcard tests/*.c)

ifneq ($(NVCC),)
  CFLAGS   += -DPRISM_HAVE_CUDA=1
  NVFLAGS  := -arch=$(CUDA_ARCH) -O3 -g -lineinfo -Isrc -DPRISM_HAVE_CUDA=1 -Xcompiler -Wall -std=c++17
  CU_OBJ   := $(CU_SRC:%.cu=$(BUILD)/%.o)
  LDLIBS   += -L$(CUDA_HOME)/lib64 -lcudart -lstdc++ -Wl,-rpath,$(CUDA_HOME)/lib64
  LINK_CUDA := ✓ ($(CUDA_ARCH))
else
  LIB_SRC  := $(LIB_SRC) src/cuda/cuda_absent.c
  LINK_CUDA := ✗
endif
# MPI (docs/mpi.md): src/mpi/mpi_run.c with mpicc's flags, else mpi_absent.c
ifneq ($(MPICC),)
  MPI_CFLAGS := $(shell $(MPICC) --showme:compile 2>/dev/null)
  LIB_SRC    += src/mpi/mpi_run.c
  LDLIBS     += $(shell $(MPICC) --showme:link 2>/dev/null)
else
  LIB_SRC    += src/mpi/mpi_absent.c
endif
LIB_SRC := $(sort $(LIB_SRC))

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(CU_OBJ)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)

.PHONY: all install test check fuzz fuzz-smoke clean summary cuda-compile gpu-test format tsan-pipeline emu-test
all: summary $(BUILD)/prism $(BUILD)/prism_tests

summary:
	@echo "prism build ($(BUILD)): CUDA $(LINK_CUDA)  NCCL $(if $(filter 1,$(HAVE_NCCL)),✓,✗)  MPI $(if $(MPICC),✓,✗)  sanitizer $(if $(filter 1,$(SANITIZER)),✓,✗)"

$(BUILD)/libprism.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/prism: $(BUILD)/src/cli/main.o $(BUILD)/libprism.a
	$(CC) $(CFLAGS) $(LDOPT) -o $@ $^ $(LDLIBS)

$(BUILD)/prism_tests: $(TEST_OBJ) $(BUILD)/libprism.a
	$(CC) $(CFLAGS) $(LDOPT) -o $@ $^ $(LDLIBS)

$(BUILD)/src/mpi/mpi_run.o: CFLAGS += $(MPI_CFLAGS)

$(BUILD)/%.o: %.c $(wildcard src/*/*.h src/*/*.def tests/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/%.o: %.cu $(wildcard src/*/*.h src/*/*.cuh src/*/*.def)
	@mkdir -p $(dir $@)
	$(NVCC) $(NVFLAGS) -c -o $@ $<

test: all
	./$(BUILD)/prism_tests -x gpu
	./tests/cli_test.sh ./$(BUILD)/prism
	./tests/fluxnet_cli_test.sh ./$(BUILD)/prism
	./tests/lib_test.sh $(BUILD) "$(LDOPT)"
	./tests/report_test.sh ./$(BUILD)/prism
	./tests/mbrl_cli_test.sh ./$(BUILD)/prism
	$(if $(MPICC),./tests/mpi_test.sh ./$(BUILD)/prism)
	@if [ -x /usr/bin/python3 ]; then PRISM_LIB=$(BUILD)/libprism.so $(PY_ENV) /usr/bin/python3 tests/python_test.py; \
	 else echo "python test: skipped (no /usr/bin/python3; .ci/run installs it)"; fi

# --- the library: libprism.so from -fPIC objects in $(BUILD)-pic/ (only the
# symbols of include/prism.h exported), and make install PREFIX=DIR.
LIB_VERSION := 0.1.0
LIB_SONAME  := libprism.so.0
PIC_BUILD   := $(BUILD)-pic
$(PIC_BUILD)/src/mpi/mpi_run.o: CFLAGS += $(MPI_CFLAGS)
PIC_OBJ     := $(LIB_SRC:%.c=$(PIC_BUILD)/%.o) $(if $(NVCC),$(CU_SRC:%.cu=$(PIC_BUILD)/%.o))
PREFIX      ?= /usr/local
# Python loads the ASan build only with the ASan runtime preloaded.
PY_ENV      := $(if $(filter 1,$(SANITIZER)),LD_PRELOAD=$$($(CC) -print-file-name=libasan.so) ASAN_OPTIONS=detect_leaks=0)
all: $(BUILD)/libprism.so
$(LIB_SRC:%.c=$(BUILD)/%.o) $(TEST_OBJ): $(wildcard include/*.h)

$(PIC_BUILD)/%.o: %.c $(wildcard src/*/*.h src/*/*.def include/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fPIC -fvisibility=hidden -c -o $@ $<

$(PIC_BUILD)/%.o: %.cu $(wildcard src/*/*.h src/*/*.cuh src/*/*.def)
	@mkdir -p $(dir $@)
	$(NVCC) $(NVFLAGS) -Xcompiler -fPIC -Xcompiler -fvisibility=hidden -c -o $@ $<

$(BUILD)/libprism.so.$(LIB_VERSION): $(PIC_OBJ)
	$(CC) $(LDOPT) -shared -Wl,-soname,$(LIB_SONAME) -o $@ $^ $(LDLIBS)

$(BUILD)/libprism.so: $(BUILD)/libprism.so.$(LIB_VERSION)
	ln -sf libprism.so.$(LIB_VERSION) $(BUILD)/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $@

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 755 $(BUILD)/prism $(DESTDIR)$(PREFIX)/bin/prism
	install -m 644 include/prism.h $(DESTDIR)$(PREFIX)/include/prism.h
	install -m 644 $(BUILD)/libprism.a $(DESTDIR)$(PREFIX)/lib/libprism.a
	install -m 755 $(BUILD)/libprism.so.$(LIB_VERSION) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libprism.so.$(LIB_VERSION) $(DESTDIR)$(PREFIX)/lib/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(DESTDIR)$(PREFIX)/lib/libprism.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(LIB_VERSION)|' \
	  -e 's|@LIBS_PRIVATE@|$(strip $(LDOPT) $(LDLIBS))|' src/api/prism.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/prism.pc

# Compile every .cu file with nvcc (no GPU needed), so GPU code never rots.
cuda-compile:
	@if [ -n "$(NVCC)" ]; then \
	  for f in $(CU_SRC) $(wildcard dev/cuda/*.cu); do \
	    echo "nvcc $$f"; $(NVCC) -arch=$(CUDA_ARCH) -Isrc -std=c++17 -c -o /dev/null $$f || exit 1; \
	  done; echo "CUDA compile: ✓"; \
	else echo "CUDA compile: skipped (no nvcc)"; fi

gpu-test:
	$(MAKE) all
	./$(BUILD)/prism_tests -l gpu

FUZZ_SRC := $(filter src/graph/% src/util/%,$(LIB_SRC))
build-fuzz/fuzz_parsers: fuzz/fuzz_parsers.c $(FUZZ_SRC)
	@mkdir -p build-fuzz
	clang -std=c11 -D_GNU_SOURCE -g -O1 -Isrc -fsanitize=fuzzer,address,undefined -o $@ $^ -lm

fuzz: build-fuzz/fuzz_parsers
	./build-fuzz/fuzz_parsers -max_total_time=$${FUZZ_SECONDS:-300} -max_len=4096 fuzz/corpus

fuzz-smoke: build-fuzz/fuzz_parsers
	@mkdir -p build-fuzz/corpus
	@echo "fuzzing the parsers for $${FUZZ_SECONDS:-60} s (log: build-fuzz/fuzz.log)"
	@./build-fuzz/fuzz_parsers -max_total_time=$${FUZZ_SECONDS:-60} -max_len=4096 -print_final_stats=1 \
	  build-fuzz/corpus fuzz/corpus > build-fuzz/fuzz.log 2>&1 || { tail -40 build-fuzz/fuzz.log; exit 1; }
	@grep -E "stat::number_of_executed_units|Done [0-9]+ runs" build-fuzz/fuzz.log | tail -2

# The report's JSON Lines reader under libFuzzer (not part of check).
build-fuzz/fuzz_jsonl: fuzz/fuzz_jsonl.c src/report/jsonl.c src/util/check.c
	@mkdir -p build-fuzz
	clang -std=c11 -D_GNU_SOURCE -g -O1 -Isrc -fsanitize=fuzzer,address,undefined -o $@ $^ -lm

.PHONY: fuzz-jsonl
fuzz-jsonl: build-fuzz/fuzz_jsonl
	@mkdir -p build-fuzz/corpus-jsonl
	./build-fuzz/fuzz_jsonl -max_total_time=$${FUZZ_SECONDS:-60} -max_len=2048 build-fuzz/corpus-jsonl

# The triple-buffer protocol's tests under ThreadSanitizer (two threads).
build-tsan/pipeline_tests: tests/main.c tests/test_pipeline.c src/pipeline/triple.c src/util/check.c
	@mkdir -p build-tsan
	$(CC) -std=c11 -D_GNU_SOURCE -O1 -g -fsanitize=thread -Isrc -Itests -o $@ $^ -pthread

tsan-pipeline: build-tsan/pipeline_tests
	./build-tsan/pipeline_tests -l pipeline

check:
	$(MAKE) test
	$(MAKE) SANITIZER=1 test
	$(MAKE) tsan-pipeline
	$(MAKE) fuzz-smoke
	$(MAKE) cuda-compile
	$(MAKE) emu-test

# The GPU tests without a GPU: the kernels compiled by g++ against the CPU
# emulator of the CUDA runtime (dev/cuda/emu: threads as fibers in a varying
# order), every batch checked against the CPU engine. The quick ones by
# default (both move selections, potentials, placements, pipeline groups:
# ~2 min on 2 cores); EMU_TESTS=gpu-all runs them all (about an hour);
# EMU_SAN=1 adds ASan + UBSan (about ten times slower: not in check).
# EMU_DEVICES=2 emulates two peer devices, EMU_ASYNC=N runs the streams as
# lagging queues (dev/cuda/emu/cuda_emu.h); both are read at run time.
EMU_SAN ?= 0
EMU_TESTS ?= cuda_small cuda_match_placements cuda_pipeline_groups cuda_solved_colorings_verify \
             cuda_create_rejects_oversized cuda_match_large_dense cuda_migration_peer_and_staged \
             cuda_match_high_degree_plain_weights
emu-test:
	@if command -v g++ >/dev/null; then \
	  b=build-emu$(if $(filter 1,$(EMU_SAN)),-san); \
	  EMU_SAN=$(EMU_SAN) EMU_BUILD=$$b dev/cuda/emu/build.sh && \
	  if [ "$(EMU_TESTS)" = gpu-all ]; then ./$$b/prism_tests -l gpu; \
	  else ./$$b/prism_tests $(EMU_TESTS); fi; \
	else echo "emulator tests: skipped (no g++)"; fi

format:
	clang-format -i src/*/*.c src/*/*.h tests/*.c tests/*.h

clean:
	rm -rf build build-san build-fuzz build-tsan build-pic build-san-pic build-emu build-emu-san
