# vm/tables.cmake: match-action tables, pipelines, hooks and helpers.
#   rmt_tables       freestanding core (also built into the kernel module)
#   rmt_tables_text  user space: the RMT program text format
rmt_add_core_library(rmt_tables
	${CMAKE_CURRENT_SOURCE_DIR}/table.c
	${CMAKE_CURRENT_SOURCE_DIR}/table_build.c
	${CMAKE_CURRENT_SOURCE_DIR}/table_lookup.c
	${CMAKE_CURRENT_SOURCE_DIR}/table_merge.c
	${CMAKE_CURRENT_SOURCE_DIR}/table_sort.c
	${CMAKE_CURRENT_SOURCE_DIR}/table_tree.c
	${CMAKE_CURRENT_SOURCE_DIR}/hook_defs.c
	${CMAKE_CURRENT_SOURCE_DIR}/helpers.c
	${CMAKE_CURRENT_SOURCE_DIR}/pipeline.c
	${CMAKE_CURRENT_SOURCE_DIR}/pipeline_msg.c
	${CMAKE_CURRENT_SOURCE_DIR}/stream.c
	${CMAKE_CURRENT_SOURCE_DIR}/task_hist.c)
target_link_libraries(rmt_tables PUBLIC rmt_vm rmt_proto)

# User space: the RMT program text format.
add_library(rmt_tables_text STATIC ${CMAKE_CURRENT_SOURCE_DIR}/pipeline_parse.c)
target_link_libraries(rmt_tables_text PUBLIC rmt_tables rmt_vm_text)
# In user space, rmt_tables' grace periods are port/rcu_user.c's.
target_link_libraries(rmt_tables INTERFACE rmt_rcu)
