# loadtop — build, test, install. `make test` and `make demo` first install
# any missing Debian packages (the deps target), so a fresh Debian 12 machine
# needs nothing else.
CC       ?= cc
PREFIX   ?= /usr/local
PKGS     := libcurl libuv yaml-0.1 ncursesw jansson
VERSION  := $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.1.0)

# Debian packages: build needs, then what the tests drive (tmux, jq, curl).
DEB_PKGS := gcc make pkg-config libcurl4-openssl-dev libuv1-dev libyaml-dev \
            libncurses-dev libjansson-dev libmimalloc-dev node-llhttp tmux jq curl procps \
            python3 time util-linux iproute2

CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter \
            -Isrc -Iui -I$(LLHTTP_INC) -MMD -MP
BUILD    := build
ifeq ($(SANITIZE),1)
CFLAGS   += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS  += -fsanitize=address,undefined
BUILD    := build-san
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

SRC      := $(wildcard src/*.c) $(wildcard ui/*.c)
LIB_OBJ  := $(patsubst %.c,$(BUILD)/%.o,$(filter-out src/main.c,$(SRC))) $(BUILD)/version.o \
            $(LLHTTP_OBJ)
MAIN_OBJ := $(BUILD)/src/main.o
TEST_SRC := $(wildcard tests/*.c)
TEST_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(TEST_SRC))

.PHONY: all deps test unit integration demo install clean format loadtop tests/unit

all: loadtop

loadtop: $(MAIN_OBJ) $(LIB_OBJ) $(BUILD)/demo_yml.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# scenarios/demo.yml is embedded so that --demo works from any directory.
$(BUILD)/demo_yml.c: scenarios/demo.yml
	@mkdir -p $(BUILD)
	{ echo '/* generated from scenarios/demo.yml */'; echo 'const char demo_yml[] = {'; \
	  od -An -tx1 -v $< | sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'; echo '0};'; } > $@

$(BUILD)/demo_yml.o: $(BUILD)/demo_yml.c
	$(CC) $(CFLAGS) -c -o $@ $<

# Rewritten only when `git describe` changes, so the version never goes stale.
$(BUILD)/version.c: FORCE
	@mkdir -p $(BUILD)
	@echo 'const char loadtop_version[] = "$(VERSION)";' > $@.new
	@cmp -s $@.new $@ && rm -f $@.new || mv $@.new $@

$(BUILD)/version.o: $(BUILD)/version.c
	$(CC) $(CFLAGS) -c -o $@ $<

FORCE:

tests/unit: $(TEST_OBJ) $(LIB_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

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

unit: tests/unit
	./tests/unit

integration: loadtop
	./tests/run-integration.sh

# Every suite prints "ok"/"not ok" lines; the totals line is the sum of all.
SUITES := tests/run-integration.sh tests/faults.sh tests/flows.sh tests/tui.sh tests/html.sh \
          tests/target.sh tests/refuse.sh

test: deps
	$(MAKE) --no-print-directory loadtop tests/unit tests/tools/accept-count
	@rm -f $(BUILD)/*.count; fail=0; \
	 ./tests/unit > $(BUILD)/unit.log 2>&1 || fail=1; cat $(BUILD)/unit.log; \
	 sed -n 's/^unit: \([0-9]*\) passed, \([0-9]*\) failed$$/\1 \2/p' $(BUILD)/unit.log > $(BUILD)/unit.count; \
	 for s in $(SUITES); do \
	   [ -x $$s ] || continue; \
	   BUILD_DIR=$(BUILD) $$s || fail=1; \
	 done; \
	 cat $(BUILD)/*.count | awk '{ p += $$1; f += $$2 } END { print p " passed, " f " failed" }'; \
	 [ $$fail = 0 ]

demo: deps
	$(MAKE) --no-print-directory loadtop
	./loadtop --demo

install: loadtop
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 loadtop $(DESTDIR)$(PREFIX)/bin/loadtop
	install -m 644 man/loadtop.1 $(DESTDIR)$(PREFIX)/share/man/man1/loadtop.1

format:
	clang-format -i src/*.c src/*.h ui/*.c ui/*.h tests/*.c tests/*.h

clean:
	rm -rf build build-san loadtop tests/unit tests/tools/accept-count

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
