# The x86-64 JIT of vm/ (user space only): rmt_jit compiles programs
# loaded by rmt_vm into native code and runs them.
add_library(rmt_jit STATIC
	${CMAKE_CURRENT_SOURCE_DIR}/jit.c
	${CMAKE_CURRENT_SOURCE_DIR}/jit_labels.c
	${CMAKE_CURRENT_SOURCE_DIR}/jit_insn.c
	${CMAKE_CURRENT_SOURCE_DIR}/jit_exec.c
	${CMAKE_CURRENT_SOURCE_DIR}/x86_64/emit.c)
target_link_libraries(rmt_jit PUBLIC rmt_vm)
