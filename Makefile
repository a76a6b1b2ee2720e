# loadtop — build, test, install. `make test` and `make demo` first install
# any missing Debian packages (the deps target), so a fresh Debian 12 machine
# needs nothing else. `make` with nothing changed does nothing.
CC       ?= cc
PREFIX   ?= /usr/local
PKGS     := libcurl libuv yaml-0.1 ncursesw jansson libpcre2-8
VERSION  := $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.1.0)

# Debian packages: build needs, then what the tests drive.
DEB_PKGS := gcc make pkg-config libcurl4-openssl-dev libuv1-dev libyaml-dev \
            libncurses-dev libjansson-dev libmimalloc-dev libpcre2-dev node-llhttp tmux jq curl \
            procps python3 python3-yaml time util-linux iproute2 clang-format openssl \
            nghttp2-server

# One folder per dependency boundary (tests/check-layout.sh keeps it so):
# script/ alone reads YAML, engine/ alone speaks libcurl (and libuv, with the
# built-in target/), report/ turns stats into documents, ui/ alone draws.
SRC_DIRS := src src/script src/engine src/report src/target ui

CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter \
            $(addprefix -I,$(SRC_DIRS)) -I$(LLHTTP_INC) -MMD -MP
BUILD    := build
ifeq ($(SANITIZE),1)
CFLAGS   += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS  += -fsanitize=address,undefined
BUILD    := build-san
else ifeq ($(SANITIZE),thread)
# ThreadSanitizer, for the worker threads: `make SANITIZE=thread unit T=engine`
# or the suites on build-tsan/loadtop (not in .ci/run: slow, and libcurl's
# and libuv's own threads are not instrumented).
CFLAGS   += -O1 -fsanitize=thread -fno-omit-frame-pointer
LDFLAGS  += -fsanitize=thread
BUILD    := build-tsan
else
# mimalloc replaces malloc for the whole process (it exports malloc/free and
# comes before libc in the link): libcurl allocates and frees a dozen small
# blocks per request, and glibc's malloc was 7-8 % of a keep-alive GET. The
# sanitizer build keeps glibc's, which ASan replaces with its own.
LDLIBS   += -Wl,--push-state,--no-as-needed -lmimalloc -Wl,--pop-state
endif
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LDLIBS   += $(PKG_LIBS) -lpthread -lm

# llhttp (Node's HTTP parser, for the built-in target) is compiled from the C
# sources Debian's node-llhttp ships, not copied into this tree.
LLHTTP_SRC := /usr/share/llhttp
LLHTTP_INC := /usr/share/include/llhttp
LLHTTP_OBJ  = $(BUILD)/llhttp/api.o $(BUILD)/llhttp/http.o $(BUILD)/llhttp/llhttp.o

SRC      := $(foreach d,$(SRC_DIRS),$(wildcard $(d)/*.c))
LIB_OBJ  := $(patsubst %.c,$(BUILD)/%.o,$(filter-out src/main.c,$(SRC))) $(BUILD)/version.o \
            $(LLHTTP_OBJ)
MAIN_OBJ := $(BUILD)/src/main.o
TEST_SRC := $(wildcard tests/*.c)
TEST_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(TEST_SRC))
# Each build keeps its own binaries; ./loadtop is a copy of the normal one.
BIN      := $(BUILD)/loadtop
UNIT     := $(BUILD)/unit
TOOLS    := tests/tools/accept-count

.PHONY: all deps test unit integration demo install clean format check-format check-layout \
        fuzz fuzz-smoke fuzz-deps fuzz-build FORCE

ifneq ($(SANITIZE),)
all: $(BIN)
else
all: loadtop
endif

loadtop: $(BIN)
	cp $< $@

$(BIN): $(MAIN_OBJ) $(LIB_OBJ) $(BUILD)/demo_yml.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(UNIT): $(TEST_OBJ) $(LIB_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# scenarios/demo.yml is embedded so that --demo works from any directory.
$(BUILD)/demo_yml.c: scenarios/demo.yml
	@mkdir -p $(BUILD)
	{ echo '/* generated from scenarios/demo.yml */'; echo 'const char demo_yml[] = {'; \
	  od -An -tx1 -v $< | sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'; echo '0};'; } > $@

$(BUILD)/demo_yml.o: $(BUILD)/demo_yml.c
	$(CC) $(CFLAGS) -c -o $@ $<

# Rewritten only when `git describe` changes, so the version never goes stale
# and an unchanged tree relinks nothing.
$(BUILD)/version.c: FORCE
	@mkdir -p $(BUILD)
	@echo 'const char loadtop_version[] = "$(VERSION)";' > $@.new
	@cmp -s $@.new $@ && rm -f $@.new || mv $@.new $@

$(BUILD)/version.o: $(BUILD)/version.c
	$(CC) $(CFLAGS) -c -o $@ $<

# tests/refuse.sh's listener: counts the connections a refusal must never make.
tests/tools/accept-count: tests/tools/accept-count.c
	$(CC) -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -o $@ $<

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

# Generated code, not ours to warn about: the same flags, warnings not fatal.
$(BUILD)/llhttp/%.o: $(LLHTTP_SRC)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-error -c -o $@ $<

# Installs only what is missing; silent and instant when all is present.
deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "deps: installing$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

# `make unit T=merge` runs the unit tests whose name contains "merge".
unit: $(UNIT)
	$(UNIT) $(T)

integration: all
	LOADTOP=$(BIN) ./tests/run-integration.sh

# Every suite prints "ok"/"not ok" lines and writes its two totals; the
# totals line is the sum of all. tests/README.md says which suite is which.
SUITES := tests/check-layout.sh tests/check-format.sh tests/run-integration.sh tests/faults.sh \
          tests/flows.sh tests/tui.sh tests/html.sh tests/target.sh tests/refuse.sh tests/tls.sh \
          tests/habits.sh tests/workers.sh tests/observe.sh tests/watch.sh tests/kube.sh
# The exact-count suites again with 2 and 4 worker threads (WORKERS: lib.sh).
WORKER_SUITES := tests/run-integration.sh tests/flows.sh
# The exact-count and fault suites again through libcurl alone (the default
# transport, auto, sends plain http:// on loadtop's own: TRANSPORT: lib.sh).
CURL_SUITES := tests/run-integration.sh tests/flows.sh tests/faults.sh

test: deps
	@$(MAKE) --no-print-directory all $(UNIT) $(TOOLS)
	@rm -f $(BUILD)/*.count; fail=0; \
	 $(UNIT) > $(BUILD)/unit.log 2>&1 || fail=1; cat $(BUILD)/unit.log; \
	 sed -n 's/^unit: \([0-9]*\) passed, \([0-9]*\) failed.*$$/\1 \2/p' $(BUILD)/unit.log > $(BUILD)/unit.count; \
	 for s in $(SUITES); do \
	   [ -x $$s ] || continue; \
	   LOADTOP=$(BIN) BUILD_DIR=$(BUILD) $$s || fail=1; \
	 done; \
	 for w in 2 4; do for s in $(WORKER_SUITES); do \
	   WORKERS=$$w LOADTOP=$(BIN) BUILD_DIR=$(BUILD) $$s || fail=1; \
	 done; done; \
	 for s in $(CURL_SUITES); do \
	   TRANSPORT=curl LOADTOP=$(BIN) BUILD_DIR=$(BUILD) $$s || fail=1; \
	 done; \
	 cat $(BUILD)/*.count | awk '{ p += $$1; f += $$2 } END { print p " passed, " f " failed" }'; \
	 [ $$fail = 0 ]

check-layout:
	@BUILD_DIR=$(BUILD) tests/check-layout.sh

check-format:
	@BUILD_DIR=$(BUILD) tests/check-format.sh

demo: deps
	@$(MAKE) --no-print-directory loadtop
	./loadtop --demo

install: loadtop
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	           $(DESTDIR)$(PREFIX)/share/man/man7
	install -m 755 loadtop $(DESTDIR)$(PREFIX)/bin/loadtop
	install -m 644 man/loadtop.1 $(DESTDIR)$(PREFIX)/share/man/man1/loadtop.1
	for m in man/*.7; do [ -e "$$m" ] && install -m 644 "$$m" $(DESTDIR)$(PREFIX)/share/man/man7/; done; true

format:
	clang-format -i $(foreach d,$(SRC_DIRS) tests tests/fuzz tests/tools tests/bench,$(wildcard $(d)/*.[ch]))

clean:
	rm -rf build build-san build-fuzz loadtop $(TOOLS)

# ---- fuzzing: libFuzzer harnesses in tests/fuzz/ (see tests/fuzz/README.md) ----
# `make fuzz` runs each harness FUZZ_SECONDS (one at a time, new inputs kept
# in build-fuzz/corpus/, crashes in build-fuzz/crashes/; fails on a crash);
# `make fuzz-smoke` replays tests/fuzz/regress/ and the committed corpora and
# fuzzes briefly, within a minute. clang builds the code under ASan+UBSan
# with coverage; the lib is an archive, so each harness links what it uses.
FUZZ_PKGS    := clang libclang-rt-14-dev
FUZZ_CC      ?= clang
FUZZ_BUILD   := build-fuzz
FUZZ_SECONDS ?= 60
FUZZERS      ?= fuzz_script fuzz_cli fuzz_report fuzz_expr fuzz_response
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS  := -O1 -g -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter \
                $(addprefix -I,$(SRC_DIRS)) -I$(LLHTTP_INC) -MMD -MP $(FUZZ_SAN) \
                -fsanitize=fuzzer-no-link
# src/ without main.c, ui/ and the target: no harness needs them
FUZZ_SRC     := $(foreach d,src src/script src/engine src/report,$(wildcard $(d)/*.c))
FUZZ_LIB_OBJ := $(patsubst %.c,$(FUZZ_BUILD)/%.o,$(filter-out src/main.c,$(FUZZ_SRC))) \
                $(FUZZ_BUILD)/llhttp/api.o $(FUZZ_BUILD)/llhttp/http.o $(FUZZ_BUILD)/llhttp/llhttp.o
# fuzz_script: the loader's file reads (util.c's read_file_limited, and only
# it: libFuzzer opens its own files too) go through the harness's guard,
# which opens regular files inside its temp dir only (tests/fuzz/fuzz_script.c).
FUZZ_GUARDED := $(FUZZ_BUILD)/guarded/util.o

# Installs what is missing, as `make deps` does, with the fuzzing packages added.
fuzz-deps:
	@$(MAKE) --no-print-directory deps DEB_PKGS="$(DEB_PKGS) $(FUZZ_PKGS)"

fuzz-build: fuzz-deps
	@$(MAKE) --no-print-directory $(FUZZERS:%=$(FUZZ_BUILD)/%)

fuzz: fuzz-build
	FUZZERS="$(FUZZERS)" tests/fuzz/run.sh fuzz $(FUZZ_SECONDS)

fuzz-smoke: fuzz-build
	FUZZERS="$(FUZZERS)" tests/fuzz/run.sh smoke

# built through pattern rules, but kept: make would delete them as intermediate
.SECONDARY: $(FUZZERS:%=$(FUZZ_BUILD)/tests/fuzz/%.o) $(FUZZ_GUARDED)

$(FUZZ_BUILD)/libloadtop.a: $(FUZZ_LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/tests/fuzz/fuzz_%.o $(FUZZ_BUILD)/libloadtop.a
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS) -lpthread -lm

# the guarded objects come before the archive, so its copies are never linked
$(FUZZ_BUILD)/fuzz_script: $(FUZZ_BUILD)/tests/fuzz/fuzz_script.o $(FUZZ_GUARDED) \
                           $(FUZZ_BUILD)/libloadtop.a
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS) -lpthread -lm

$(FUZZ_BUILD)/guarded/%.o: $(FUZZ_BUILD)/src/%.o
	@mkdir -p $(dir $@)
	objcopy --redefine-sym open=fuzz_guarded_open $< $@

$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

$(FUZZ_BUILD)/llhttp/%.o: $(LLHTTP_SRC)/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Wno-error -c -o $@ $<

-include $(shell find $(FUZZ_BUILD) -name '*.d' 2>/dev/null)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
