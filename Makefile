# SPDX-License-Identifier: GPL-2.0
#
# teredo: Teredo (RFC 4380) as a Linux network device.
#
#   make                 module + tools for KVER (default: running kernel,
#                        else the newest installed Debian headers)
#   make check           every test, in QEMU guests on 6.1 and 6.12
#                        (KERNELS=7.2: on mainline 7.2, built once, cached)
#   make check-debug     every guest test on a KASAN/lockdep/kmemleak/UBSAN
#                        6.12 kernel built (once, cached) from linux-source-6.12
#   make demo            two NATed clients, our server and relay, no Miredo
#                        (demo, bench and check install what they need first)
#   make deb             Debian packages teredo-dkms, teredo-tools in build/deb
#   make unit fuzz bench checkpatch sparse install dkms-install clean
#
# Options: KVER=, KDIR=, KERNELS="6.1 6.12", TESTS=name, QEMU_ACCEL=kvm,
#          W=1, C=2, FUZZ_SECONDS=N, DESTDIR=, PREFIX=

SHELL := /bin/bash
TOP := $(CURDIR)
BUILD ?= $(TOP)/build

# The kernel to build for.
KVER ?= $(shell if [ -e /lib/modules/$$(uname -r)/build/Makefile ]; then uname -r; \
	else ls -d /lib/modules/*/build/Makefile 2>/dev/null | \
	sed 's|/lib/modules/||; s|/build/Makefile||' | sort -V | tail -n1; fi)
KDIR ?= /lib/modules/$(KVER)/build
# Out-of-tree objects of one kernel must not meet another's: each kernel
# builds in its own copy of the sources under build/.
MODDIR := $(BUILD)/$(KVER)/module
MODSRCS := Kbuild $(wildcard drivers/net/teredo/*.[ch] drivers/net/teredo/Kbuild \
	drivers/net/teredo/Makefile drivers/net/teredo/*.sh) include/uapi/linux/teredo.h

PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all module tools check check-debug check-host demo unit fuzz bench checkpatch sparse \
	install install-module install-tools dkms-install deb deps clean

all: module tools

$(MODDIR)/.stamp-src: $(MODSRCS)
	@test -n "$(KVER)" || { echo "no kernel headers found: run 'make deps' or set KVER" >&2; exit 1; }
	@mkdir -p $(MODDIR)
	@tar -cf - $(MODSRCS) | tar -xf - -C $(MODDIR)
	@touch $@

module: $(MODDIR)/.stamp-src
	$(MAKE) -C $(KDIR) M=$(MODDIR) $(if $(W),W=$(W)) $(if $(C),C=$(C)) modules
	@cp $(MODDIR)/drivers/net/teredo/teredo.ko $(BUILD)/$(KVER)/teredo.ko
	@echo "built $(BUILD)/$(KVER)/teredo.ko"

sparse:
	$(MAKE) module C=2 W=1

tools:
	$(MAKE) -C tools BUILD=$(BUILD)/tools
	$(MAKE) -C selftests/tools BUILD=$(BUILD)/tools

# Installs missing build and test dependencies (apt, as root).
deps:
	selftests/vm/setup-host.sh

# DEBUG_SMOKE: the tests a full "make check" also runs on the debug kernel
# when "make check-debug" has built and cached it (empty: none).
# MAINLINE_SMOKE: the same on mainline 7.2 when "make check KERNELS=7.2"
# has built and cached it (about 150 s of guest time in a third guest).
DEBUG_SMOKE ?= module_lifecycle client_stop_race
MAINLINE_SMOKE ?= module_lifecycle netlink_conf client_qualify client_p2p relay_interop \
	server_interop
check:
	@selftests/vm/run-check.sh $(if $(KERNELS),--kernels "$(KERNELS)") $(if $(TESTS),--tests "$(TESTS)") \
		--debug-smoke "$(DEBUG_SMOKE)" --smoke 7.2 "$(MAINLINE_SMOKE)"

# The whole suite on the debug kernel (2-3 hours of guest time under TCG,
# about 80 minutes on 2 cores):
# run by hand, see selftests/README.md; "make check" runs only DEBUG_SMOKE on
# it.  VM_TIMEOUT_SCALE: the debug kernel runs the tests 4-7 times slower
# (measured).  DEBUG_SHARDS guests share the tests (one host core each).
DEBUG_SHARDS ?= $(shell n=$$(nproc); echo $$((n > 4 ? 4 : n)))
check-debug:
	@selftests/vm/build-kernel.sh debug > /dev/null
	@VM_TIMEOUT_SCALE=$(or $(VM_TIMEOUT_SCALE),8) selftests/vm/run-check.sh --kernels debug \
		--no-host --no-selftest --shards "$(DEBUG_SHARDS)" $(if $(TESTS),--tests "$(TESTS)")

# demo and bench set the host up first, as check does (run-check.sh calls
# setup-host.sh): on a fresh Debian 12 they need no "make deps" before.
demo: deps
	selftests/vm/run-demo.sh $(if $(KERNELS),--kernel "$(KERNELS)")

unit:
	$(MAKE) -C selftests/unit BUILD=$(BUILD)/unit run

fuzz:
	$(MAKE) -C selftests/fuzz BUILD=$(BUILD)/fuzz FUZZ_SECONDS=$(or $(FUZZ_SECONDS),60) run

bench: deps
	selftests/vm/run-bench.sh $(if $(KERNELS),--kernel "$(KERNELS)")

checkpatch:
	selftests/vm/checkpatch.sh drivers/net/teredo include/uapi/linux/teredo.h

install: install-module install-tools

install-module: module
	install -D -m 644 $(BUILD)/$(KVER)/teredo.ko \
		$(DESTDIR)/lib/modules/$(KVER)/updates/teredo.ko
	$(if $(DESTDIR),,depmod -a $(KVER))

install-tools: tools
	$(MAKE) -C tools BUILD=$(BUILD)/tools install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)

# DKMS builds the module for every installed kernel (see dkms.conf).
dkms-install:
	selftests/vm/dkms-install.sh

# The Debian packages (debian/: debhelper, dh-dkms) into build/deb/.
deb: deps
	tools/build-deb.sh $(BUILD)/deb

clean:
	rm -rf $(BUILD)
	-$(MAKE) -C tools BUILD=$(BUILD)/tools clean
