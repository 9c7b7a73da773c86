# Detect optional parts and report each in one line.  A missing optional
# part disables what needs it; tests that need it skip with the reason.

function(rmt_report what status)
	message(STATUS "rmt: ${what}: ${status}")
endfunction()

# Test data that lives beside the checkout on development machines and in
# CI (the public eBPF conformance suite, hook policies).
if(DEFINED ENV{RMT_SHARED_DIR})
	set(RMT_SHARED_DIR $ENV{RMT_SHARED_DIR})
else()
	get_filename_component(RMT_SHARED_DIR ${CMAKE_SOURCE_DIR}/../shared ABSOLUTE)
endif()
if(EXISTS ${RMT_SHARED_DIR}/conformance)
	rmt_report("shared test data" "${RMT_SHARED_DIR}")
else()
	rmt_report("shared test data" "absent (tests that need it will skip)")
endif()

# Without Criterion the tools and libraries still build (a GPU host that
# only runs the agent, say); the tests need it, and make test installs it.
find_path(RMT_CRITERION_INCLUDE criterion/criterion.h)
find_library(RMT_CRITERION_LIB criterion)
if(RMT_CRITERION_INCLUDE AND RMT_CRITERION_LIB)
	set(RMT_HAVE_CRITERION ON)
	rmt_report("criterion" "${RMT_CRITERION_LIB}")
else()
	set(RMT_HAVE_CRITERION OFF)
	rmt_report("criterion" "missing (tests are off: scripts/setup-deps installs libcriterion-dev)")
endif()

find_package(Threads REQUIRED)
find_package(PkgConfig)

set(RMT_HAVE_DPDK OFF)
if(PKG_CONFIG_FOUND)
	pkg_check_modules(DPDK IMPORTED_TARGET libdpdk)
endif()
if(DPDK_FOUND)
	set(RMT_HAVE_DPDK ON)
	rmt_report("dpdk" "${DPDK_VERSION}")
else()
	rmt_report("dpdk" "missing (bench-ring runs without the rte_ring anchor; dpdk backend off)")
endif()

# Kernel headers of the reference kernel (Debian's linux-headers-amd64).
# The running kernel usually has none here, so look for installed trees.
set(RMT_KERNEL_HEADERS "" CACHE PATH "Kernel build tree for the module")
if(NOT RMT_KERNEL_HEADERS)
	file(GLOB kheaders /usr/src/linux-headers-*-amd64)
	if(kheaders)
		list(SORT kheaders COMPARE NATURAL ORDER DESCENDING)
		list(GET kheaders 0 first)
		set(RMT_KERNEL_HEADERS ${first} CACHE PATH "" FORCE)
	endif()
endif()
if(RMT_KERNEL_HEADERS AND EXISTS ${RMT_KERNEL_HEADERS}/Makefile)
	set(RMT_HAVE_KHEADERS ON)
	rmt_report("kernel headers" "${RMT_KERNEL_HEADERS}")
else()
	set(RMT_HAVE_KHEADERS OFF)
	rmt_report("kernel headers" "missing (kernel module builds are off)")
endif()

find_program(RMT_CLANG NAMES clang clang-14)
if(RMT_CLANG)
	rmt_report("clang" "${RMT_CLANG} (BPF examples, fuzz targets)")
else()
	rmt_report("clang" "missing (BPF examples and fuzz targets are off)")
endif()

if(RMT_FUZZ AND NOT CMAKE_C_COMPILER_ID STREQUAL "Clang")
	message(FATAL_ERROR "rmt: RMT_FUZZ needs clang as the C compiler")
endif()
