# The interpreter side of vm/: rmt_vm (freestanding, also built into the
# kernel module) and rmt_vm_text (user space: assembler, disassembler,
# ELF loader, conformance test-file parser).
rmt_add_core_library(rmt_vm
	${CMAKE_CURRENT_SOURCE_DIR}/isa.c
	${CMAKE_CURRENT_SOURCE_DIR}/vm_log.c
	${CMAKE_CURRENT_SOURCE_DIR}/load.c
	${CMAKE_CURRENT_SOURCE_DIR}/interp.c)

add_library(rmt_vm_text STATIC
	${CMAKE_CURRENT_SOURCE_DIR}/asm.c
	${CMAKE_CURRENT_SOURCE_DIR}/disasm.c
	${CMAKE_CURRENT_SOURCE_DIR}/conf_data.c
	${CMAKE_CURRENT_SOURCE_DIR}/conf_run.c
	${CMAKE_CURRENT_SOURCE_DIR}/elf.c)
target_link_libraries(rmt_vm_text PUBLIC rmt_vm)

# Coverage for the fuzz targets (fuzz-vm, fuzz-asm, fuzz-elf): libFuzzer
# only sees code built with its instrumentation.
if(RMT_FUZZ)
	foreach(lib rmt_vm rmt_vm_text)
		target_compile_options(${lib} PRIVATE -fsanitize=fuzzer-no-link)
	endforeach()
endif()
