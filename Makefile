# virtiosim - build, test, run.
#
#   make            build build/virtiosim (optimised, warnings are errors)
#   make run        run the built-in conformance suite (scenarios/)
#   make test       install missing packages, build with ASan+UBSan, run
#                   check-layers, every Check unit test and the scenario
#                   suite; ends with one summary line
#   make coverage   gcov build, tests + scenarios, lcov HTML in build/coverage/
#   make bench      ring benchmark (see bench/)
#   make fuzz       coverage-guided fuzz targets, libFuzzer and AFL++ (fuzz/run.sh)

CC      ?= cc
# V=1 shows full compiler command lines.
Q := $(if $(V),,@)
PKGS    := libuv libcjson check
DEB_PKGS := libuv1-dev libcjson-dev check lcov pkg-config

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-unused-parameter -Wformat=2 -Wvla
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -I. $(WARN) -fno-strict-aliasing
# driver/ (guest code) and the harness that assembles it see the Linux-style headers.
DRIVER_INC := -Idriver/include

LIBS_RUN  = $(shell pkg-config --libs libuv libcjson 2>/dev/null || echo -luv -lcjson) -lm
LIBS_TEST = $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lm -lrt -lpthread)

LIB_DIRS := core transport devices driver harness harness/rules
LIB_SRC  := $(filter-out harness/main.c,$(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c)))
TEST_SRC := $(wildcard tests/check_*.c)

# Three flavours share one set of sources, each in its own object tree.
REL_DIR  := build/rel
ASAN_DIR := build/asan
COV_DIR  := build/cov
REL_CFLAGS  := $(BASE_CFLAGS) -O2 -g
ASAN_CFLAGS := $(BASE_CFLAGS) -O1 -g -fno-omit-frame-pointer \
               -fsanitize=address,undefined -fno-sanitize-recover=all
COV_CFLAGS  := $(BASE_CFLAGS) -O0 -g --coverage

objs = $(patsubst %.c,$(1)/%.o,$(2))

# Keep test objects between runs (make would delete them as intermediates).
.SECONDARY:

.PHONY: all run test test-build deps check-layers unit scenarios coverage bench fuzz clean

all: build/virtiosim

# ---- release build ----
build/virtiosim: $(call objs,$(REL_DIR),$(LIB_SRC) harness/main.c)
	@echo '  LD      $@'
	$(Q)$(CC) $(REL_CFLAGS) -o $@ $^ $(LIBS_RUN)

$(REL_DIR)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo '  CC      $@'
	$(Q)$(CC) $(REL_CFLAGS) $(DRIVER_INC) -MMD -MP -c -o $@ $<

# ---- sanitizer build (what make test runs) ----
$(ASAN_DIR)/virtiosim: $(call objs,$(ASAN_DIR),$(LIB_SRC) harness/main.c)
	@echo '  LD      $@'
	$(Q)$(CC) $(ASAN_CFLAGS) -o $@ $^ $(LIBS_RUN)

$(ASAN_DIR)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo '  CC      $@'
	$(Q)$(CC) $(ASAN_CFLAGS) $(DRIVER_INC) -MMD -MP -c -o $@ $<

$(ASAN_DIR)/tests/check_%: $(ASAN_DIR)/tests/check_%.o $(call objs,$(ASAN_DIR),$(LIB_SRC))
	@echo '  LD      $@'
	$(Q)$(CC) $(ASAN_CFLAGS) -o $@ $^ $(LIBS_TEST) $(LIBS_RUN)

# ---- coverage build ----
$(COV_DIR)/virtiosim: $(call objs,$(COV_DIR),$(LIB_SRC) harness/main.c)
	@echo '  LD      $@'
	$(Q)$(CC) $(COV_CFLAGS) -o $@ $^ $(LIBS_RUN)

$(COV_DIR)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo '  CC      $@'
	$(Q)$(CC) $(COV_CFLAGS) $(DRIVER_INC) -MMD -MP -c -o $@ $<

$(COV_DIR)/tests/check_%: $(COV_DIR)/tests/check_%.o $(call objs,$(COV_DIR),$(LIB_SRC))
	@echo '  LD      $@'
	$(Q)$(CC) $(COV_CFLAGS) -o $@ $^ $(LIBS_TEST) $(LIBS_RUN)

UNIT_ASAN := $(patsubst tests/%.c,$(ASAN_DIR)/tests/%,$(TEST_SRC))
UNIT_COV  := $(patsubst tests/%.c,$(COV_DIR)/tests/%,$(TEST_SRC))

# ---- entry points ----
run: build/virtiosim
	./build/virtiosim run scenarios/

deps:
	@sh tools/ensure-deps.sh $(DEB_PKGS)

test: deps
	@$(MAKE) --no-print-directory -j2 test-build
	@sh tools/run-tests.sh $(ASAN_DIR)

# The release build is part of the test: -O2 finds warnings -O1 does not.
test-build: check-layers build/virtiosim $(ASAN_DIR)/virtiosim $(UNIT_ASAN)

check-layers:
	@sh tools/check-layers.sh

coverage: deps
	@$(MAKE) --no-print-directory -j2 $(COV_DIR)/virtiosim $(UNIT_COV)
	@sh tools/coverage.sh $(COV_DIR)

bench:
	@$(MAKE) --no-print-directory -C bench

# Coverage-guided fuzz targets (fuzz/build.sh, OSS-Fuzz style) for
# libFuzzer and AFL++, each run FUZZ_SECONDS (default 30); not part of
# make test.  FUZZ_ENGINES="libfuzzer afl", FUZZ_TARGETS="fuzz_regs ..."
fuzz:
	@sh tools/ensure-deps.sh clang libclang-rt-14-dev pkg-config libuv1-dev libcjson-dev
	@sh fuzz/run.sh

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
