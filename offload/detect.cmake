# offload/detect.cmake: what the offload backends can be built with.  Both
# agent/ and offload/ include it; it reports once, and its results are
# global (internal cache entries), whichever folder includes it first.
include_guard(GLOBAL)

# CUDA: the toolkit's cuda.h for the driver API's types and nvcc for the
# kernels.  The driver itself (libcuda.so.1) is loaded at run time, so a
# binary built here starts on machines without one.
set(have_cuda OFF)
set(cuda_roots)
if(DEFINED ENV{CUDA_HOME})
	list(APPEND cuda_roots $ENV{CUDA_HOME})
endif()
list(APPEND cuda_roots /usr/local/cuda)
find_path(RMT_CUDA_INCLUDE cuda.h PATHS ${cuda_roots} PATH_SUFFIXES include
	NO_DEFAULT_PATH)
find_program(RMT_NVCC nvcc PATHS ${cuda_roots} PATH_SUFFIXES bin
	NO_DEFAULT_PATH)
if(RMT_CUDA_INCLUDE AND RMT_NVCC)
	set(have_cuda ON)
	rmt_report("cuda" "${RMT_NVCC} and ${RMT_CUDA_INCLUDE}/cuda.h (driver loaded at run time)")
elseif(RMT_CUDA_INCLUDE)
	rmt_report("cuda" "cuda.h but no nvcc to build the kernels (cuda backend off)")
else()
	rmt_report("cuda" "no toolkit in CUDA_HOME or /usr/local/cuda (cuda backend off)")
endif()
set(RMT_HAVE_CUDA ${have_cuda} CACHE INTERNAL "CUDA backend built")
