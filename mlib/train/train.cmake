# mlib/train/: rmt_mlib_train, the user-space half of mlib.
add_library(rmt_mlib_train STATIC
	${CMAKE_CURRENT_LIST_DIR}/dataset.c
	${CMAKE_CURRENT_LIST_DIR}/csv.c
	${CMAKE_CURRENT_LIST_DIR}/writer.c
	${CMAKE_CURRENT_LIST_DIR}/cart.c
	${CMAKE_CURRENT_LIST_DIR}/cuts.c
	${CMAKE_CURRENT_LIST_DIR}/prune.c
	${CMAKE_CURRENT_LIST_DIR}/forest.c
	${CMAKE_CURRENT_LIST_DIR}/cart_model.c
	${CMAKE_CURRENT_LIST_DIR}/mlp.c
	${CMAKE_CURRENT_LIST_DIR}/quant.c
	${CMAKE_CURRENT_LIST_DIR}/synth.c
	${CMAKE_CURRENT_LIST_DIR}/tree_table.c)
target_link_libraries(rmt_mlib_train PUBLIC rmt_mlib m)
