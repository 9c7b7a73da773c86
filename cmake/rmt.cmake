# Helpers every area uses to declare its targets, so that flags, output
# places and test registration stay the same everywhere.

# make tsan: everything compiled with ThreadSanitizer, for the programs of
# tests/tsan/ (the only targets that build is meant for).
option(RMT_TSAN "Build with ThreadSanitizer (make tsan)" OFF)
if(RMT_TSAN)
	add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
	add_link_options(-fsanitize=thread)
endif()

# Add every immediate subfolder of the current folder that has a
# CMakeLists.txt (tests/<area>, bench/<name>, tools/<name>).
function(rmt_add_subdirs)
	file(GLOB children LIST_DIRECTORIES true ${CMAKE_CURRENT_SOURCE_DIR}/*)
	list(SORT children)
	foreach(child ${children})
		if(IS_DIRECTORY ${child} AND EXISTS ${child}/CMakeLists.txt)
			add_subdirectory(${child})
		endif()
	endforeach()
endfunction()

# A library of the freestanding core (proto/, vm/, mlib inference,
# verifier/): it must also compile into the kernel module, so with GCC on
# x86 floating point is made a compile error here, as in the kernel.
function(rmt_add_core_library name)
	add_library(${name} STATIC ${ARGN})
	if(CMAKE_C_COMPILER_ID STREQUAL "GNU" AND CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64")
		target_compile_options(${name} PRIVATE -mgeneral-regs-only)
	endif()
	target_compile_options(${name} PRIVATE -Wvla -Wframe-larger-than=1024)
endfunction()

# rmt_add_criterion_test(NAME n SOURCES s... [LIBS l...] [TIMEOUT t] [LABELS ...])
function(rmt_add_criterion_test)
	cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
	add_executable(${T_NAME} ${T_SOURCES})
	target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} ${RMT_CRITERION_LIB})
	target_include_directories(${T_NAME} PRIVATE ${RMT_CRITERION_INCLUDE})
	add_test(NAME ${T_NAME} COMMAND ${T_NAME} --jobs=1 --short-filename)
	if(NOT T_TIMEOUT)
		set(T_TIMEOUT 300)
	endif()
	set_tests_properties(${T_NAME} PROPERTIES TIMEOUT ${T_TIMEOUT}
		ENVIRONMENT "RMT_SHARED_DIR=${RMT_SHARED_DIR}"
		SKIP_RETURN_CODE 77 LABELS "unit;${T_LABELS}")
endfunction()

# A test that is a plain program or script; exit 77 means skipped, and the
# program prints why.
function(rmt_add_program_test)
	cmake_parse_arguments(T "" "NAME;TIMEOUT" "COMMAND;LABELS" ${ARGN})
	add_test(NAME ${T_NAME} COMMAND ${T_COMMAND})
	if(NOT T_TIMEOUT)
		set(T_TIMEOUT 300)
	endif()
	set_tests_properties(${T_NAME} PROPERTIES TIMEOUT ${T_TIMEOUT}
		ENVIRONMENT "RMT_SHARED_DIR=${RMT_SHARED_DIR};RMT_BUILD_DIR=${CMAKE_BINARY_DIR}"
		SKIP_RETURN_CODE 77 LABELS "${T_LABELS}")
endfunction()

# A test that cannot run on this machine: it reports skipped, with why.
function(rmt_add_skipped_test name reason)
	add_test(NAME ${name} COMMAND ${CMAKE_SOURCE_DIR}/cmake/skip-test.sh ${reason})
	set_tests_properties(${name} PROPERTIES SKIP_RETURN_CODE 77 ${ARGN})
endfunction()

# rmt_add_fuzz_target(NAME n SOURCES s... [LIBS l...] [CORPUS dir])
# Built only with RMT_FUZZ (clang).  Each target also gets a smoke test of
# RMT_FUZZ_SMOKE_SECONDS; `make fuzz` runs them longer.
set(RMT_FUZZ_SMOKE_SECONDS 10 CACHE STRING "Seconds each fuzz target runs in make test")
function(rmt_add_fuzz_target)
	cmake_parse_arguments(F "" "NAME;CORPUS" "SOURCES;LIBS" ${ARGN})
	if(NOT RMT_FUZZ)
		return()
	endif()
	add_executable(${F_NAME} ${F_SOURCES})
	target_compile_options(${F_NAME} PRIVATE -fsanitize=fuzzer)
	target_link_options(${F_NAME} PRIVATE -fsanitize=fuzzer)
	target_link_libraries(${F_NAME} PRIVATE ${F_LIBS})
	set_target_properties(${F_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY
		${CMAKE_BINARY_DIR}/fuzz)
	set(corpus_args "")
	if(F_CORPUS)
		set(corpus_args ${F_CORPUS})
	endif()
	add_test(NAME ${F_NAME}-smoke COMMAND ${F_NAME}
		-max_total_time=${RMT_FUZZ_SMOKE_SECONDS} -rss_limit_mb=2048
		-print_final_stats=0 ${corpus_args})
	set_tests_properties(${F_NAME}-smoke PROPERTIES
		TIMEOUT 600 LABELS "fuzz")
endfunction()

# rmt_add_bench(NAME n SOURCES s... [LIBS l...]): a benchmark program,
# run by `make bench`, never by `make test`.
function(rmt_add_bench)
	cmake_parse_arguments(B "" "NAME" "SOURCES;LIBS" ${ARGN})
	add_executable(${B_NAME} ${B_SOURCES})
	target_link_libraries(${B_NAME} PRIVATE ${B_LIBS})
	set_target_properties(${B_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY
		${CMAKE_BINARY_DIR}/bench)
endfunction()
