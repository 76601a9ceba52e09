//===- driver.cpp - The CUDA driver API and cuBLAS, loaded at run time ----===//

#include "driver.h"

#include <algorithm>
#include <cstdlib>
#include <dlfcn.h>
#include <vector>

namespace kiln::cuda {

namespace {
using Status = int;
using Device = int;
using Context = void *;
// Values of cuda.h's enums that Kiln uses.
constexpr int kComputeCapabilityMajor = 75;
constexpr int kComputeCapabilityMinor = 76;
constexpr unsigned kStreamNonBlocking = 1;
constexpr int kCaptureModeRelaxed = 2;
// cuBLAS needs a workspace of its own to be captured into a graph.
constexpr size_t kBlasWorkspaceBytes = 32u << 20;

template <typename Fn> bool resolve(void *library, const char *name, Fn &fn) {
  fn = reinterpret_cast<Fn>(dlsym(library, name));
  return fn != nullptr;
}
} // namespace

/// Driver entry points by their exported names (cuda.h maps the plain names
/// to the _v2 symbols).
struct Driver::Api {
  Status (*init)(unsigned);
  Status (*deviceGetCount)(int *);
  Status (*deviceGet)(Device *, int);
  Status (*deviceGetAttribute)(int *, int, Device);
  Status (*deviceGetName)(char *, int, Device);
  Status (*primaryCtxRetain)(Context *, Device);
  Status (*ctxSetCurrent)(Context);
  Status (*streamCreate)(Stream *, unsigned);
  Status (*streamSynchronize)(Stream);
  Status (*moduleLoadData)(Module *, const void *);
  Status (*moduleGetFunction)(Function *, Module, const char *);
  Status (*memAlloc)(DevicePtr *, size_t);
  Status (*memFree)(DevicePtr);
  Status (*memcpyHtoDAsync)(DevicePtr, const void *, size_t, Stream);
  Status (*memcpyDtoHAsync)(void *, DevicePtr, size_t, Stream);
  Status (*memcpyDtoDAsync)(DevicePtr, DevicePtr, size_t, Stream);
  Status (*memsetD8Async)(DevicePtr, unsigned char, size_t, Stream);
  Status (*launchKernel)(Function, unsigned, unsigned, unsigned, unsigned,
                         unsigned, unsigned, unsigned, Stream, void **,
                         void **);
  Status (*streamBeginCapture)(Stream, int);
  Status (*streamEndCapture)(Stream, Graph *);
  Status (*graphInstantiate)(GraphExec *, Graph, unsigned long long);
  Status (*graphDestroy)(Graph);
  Status (*graphLaunch)(GraphExec, Stream);
  Status (*graphExecDestroy)(GraphExec);
  Status (*eventCreate)(Event *, unsigned);
  Status (*eventRecord)(Event, Stream);
  Status (*eventSynchronize)(Event);
  Status (*eventElapsedTime)(float *, Event, Event);
  Status (*getErrorString)(Status, const char **);
};

struct Driver::Blas {
  void *handle = nullptr;
  Status (*create)(void **);
  Status (*setStream)(void *, Stream);
  Status (*setWorkspace)(void *, void *, size_t);
  Status (*sgemm)(void *, int, int, int, int, int, const float *, const float *,
                  int, const float *, int, const float *, float *, int);
  Status (*sgemv)(void *, int, int, int, const float *, const float *, int,
                  const float *, int, const float *, float *, int);
  Status (*sgemmStridedBatched)(void *, int, int, int, int, int, const float *,
                                const float *, int, long long, const float *,
                                int, long long, const float *, float *, int,
                                long long, int);
};

bool Driver::check(Status status, const char *call) {
  if (status == 0)
    return true;
  const char *text = nullptr;
  if (api->getErrorString(status, &text) != 0 || !text)
    text = "unknown error";
  lastError = std::string(call) + " failed: " + text + " (" +
              std::to_string(status) + ")";
  return false;
}

Driver *Driver::get(std::string &why) {
  static Driver driver;
  static std::string failure;
  static bool loaded = [] {
    auto fail = [](std::string message) {
      failure = std::move(message);
      return false;
    };
    void *library = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!library)
      return fail("cannot load libcuda.so.1 (no NVIDIA driver on this "
                  "machine): " +
                  std::string(dlerror()));
    auto *api = new Api();
    bool ok =
        resolve(library, "cuInit", api->init) &&
        resolve(library, "cuDeviceGetCount", api->deviceGetCount) &&
        resolve(library, "cuDeviceGet", api->deviceGet) &&
        resolve(library, "cuDeviceGetAttribute", api->deviceGetAttribute) &&
        resolve(library, "cuDeviceGetName", api->deviceGetName) &&
        resolve(library, "cuDevicePrimaryCtxRetain", api->primaryCtxRetain) &&
        resolve(library, "cuCtxSetCurrent", api->ctxSetCurrent) &&
        resolve(library, "cuStreamCreate", api->streamCreate) &&
        resolve(library, "cuStreamSynchronize", api->streamSynchronize) &&
        resolve(library, "cuModuleLoadData", api->moduleLoadData) &&
        resolve(library, "cuModuleGetFunction", api->moduleGetFunction) &&
        resolve(library, "cuMemAlloc_v2", api->memAlloc) &&
        resolve(library, "cuMemFree_v2", api->memFree) &&
        resolve(library, "cuMemcpyHtoDAsync_v2", api->memcpyHtoDAsync) &&
        resolve(library, "cuMemcpyDtoHAsync_v2", api->memcpyDtoHAsync) &&
        resolve(library, "cuMemcpyDtoDAsync_v2", api->memcpyDtoDAsync) &&
        resolve(library, "cuMemsetD8Async", api->memsetD8Async) &&
        resolve(library, "cuLaunchKernel", api->launchKernel) &&
        resolve(library, "cuStreamBeginCapture_v2", api->streamBeginCapture) &&
        resolve(library, "cuStreamEndCapture", api->streamEndCapture) &&
        resolve(library, "cuGraphInstantiateWithFlags",
                api->graphInstantiate) &&
        resolve(library, "cuGraphDestroy", api->graphDestroy) &&
        resolve(library, "cuGraphLaunch", api->graphLaunch) &&
        resolve(library, "cuGraphExecDestroy", api->graphExecDestroy) &&
        resolve(library, "cuEventCreate", api->eventCreate) &&
        resolve(library, "cuEventRecord", api->eventRecord) &&
        resolve(library, "cuEventSynchronize", api->eventSynchronize) &&
        (resolve(library, "cuEventElapsedTime_v2", api->eventElapsedTime) ||
         resolve(library, "cuEventElapsedTime", api->eventElapsedTime)) &&
        resolve(library, "cuGetErrorString", api->getErrorString);
    if (!ok)
      return fail("libcuda.so.1 lacks a driver entry point: " +
                  std::string(dlerror()));
    driver.api = api;
    Api &cu = *api;
    int count = 0, major = 0, minor = 0;
    Device device = 0;
    Context context = nullptr;
    char name[256] = {};
    if (!driver.check(cu.init(0), "cuInit") ||
        !driver.check(cu.deviceGetCount(&count), "cuDeviceGetCount"))
      return fail(driver.lastError);
    if (count == 0)
      return fail("the NVIDIA driver sees no CUDA device");
    if (!driver.check(cu.deviceGet(&device, 0), "cuDeviceGet") ||
        !driver.check(
            cu.deviceGetAttribute(&major, kComputeCapabilityMajor, device),
            "cuDeviceGetAttribute") ||
        !driver.check(
            cu.deviceGetAttribute(&minor, kComputeCapabilityMinor, device),
            "cuDeviceGetAttribute") ||
        !driver.check(cu.deviceGetName(name, sizeof name - 1, device),
                      "cuDeviceGetName"))
      return fail(driver.lastError);
    driver.deviceName = name;
    if (major < 8)
      return fail(driver.deviceName + " has compute capability " +
                  std::to_string(major) + "." + std::to_string(minor) +
                  "; Kiln needs sm_80 or newer");
    driver.deviceChip = major >= 9 ? "sm_90" : "sm_80";
    if (!driver.check(cu.primaryCtxRetain(&context, device),
                      "cuDevicePrimaryCtxRetain") ||
        !driver.check(cu.ctxSetCurrent(context), "cuCtxSetCurrent") ||
        !driver.check(cu.streamCreate(&driver.stream, kStreamNonBlocking),
                      "cuStreamCreate"))
      return fail(driver.lastError);
    return true;
  }();
  if (!loaded) {
    why = failure;
    return nullptr;
  }
  return &driver;
}

bool Driver::loadModule(const std::string &ptx, Module &module) {
  return check(api->moduleLoadData(&module, ptx.c_str()), "cuModuleLoadData");
}

bool Driver::function(Module module, const std::string &name,
                      Function &function) {
  return check(api->moduleGetFunction(&function, module, name.c_str()),
               "cuModuleGetFunction");
}

bool Driver::alloc(size_t bytes, DevicePtr &ptr) {
  // A zero-byte allocation fails; one byte keeps every buffer distinct.
  return check(api->memAlloc(&ptr, std::max<size_t>(bytes, 1)), "cuMemAlloc");
}

bool Driver::free(DevicePtr ptr) {
  return check(api->memFree(ptr), "cuMemFree");
}

bool Driver::upload(DevicePtr dst, const void *src, size_t bytes) {
  return check(api->memcpyHtoDAsync(dst, src, bytes, stream),
               "cuMemcpyHtoDAsync");
}

bool Driver::download(void *dst, DevicePtr src, size_t bytes) {
  return check(api->memcpyDtoHAsync(dst, src, bytes, stream),
               "cuMemcpyDtoHAsync") &&
         synchronize();
}

bool Driver::copy(DevicePtr dst, DevicePtr src, size_t bytes) {
  return check(api->memcpyDtoDAsync(dst, src, bytes, stream),
               "cuMemcpyDtoDAsync");
}

bool Driver::fill(DevicePtr dst, uint8_t value, size_t bytes) {
  return check(api->memsetD8Async(dst, value, bytes, stream), "cuMemsetD8");
}

bool Driver::launch(Function function, const uint32_t grid[3],
                    const uint32_t block[3], void **params) {
  return check(api->launchKernel(function, grid[0], grid[1], grid[2], block[0],
                                 block[1], block[2], /*sharedMemBytes=*/0,
                                 stream, params, /*extra=*/nullptr),
               "cuLaunchKernel");
}

bool Driver::synchronize() {
  return check(api->streamSynchronize(stream), "cuStreamSynchronize");
}

bool Driver::beginCapture() {
  return check(api->streamBeginCapture(stream, kCaptureModeRelaxed),
               "cuStreamBeginCapture");
}

bool Driver::endCapture(GraphExec &exec) {
  Graph graph = nullptr;
  if (!check(api->streamEndCapture(stream, &graph), "cuStreamEndCapture"))
    return false;
  bool ok = check(api->graphInstantiate(&exec, graph, 0),
                  "cuGraphInstantiateWithFlags");
  api->graphDestroy(graph);
  return ok;
}

bool Driver::launchGraph(GraphExec exec) {
  return check(api->graphLaunch(exec, stream), "cuGraphLaunch");
}

void Driver::destroyGraph(GraphExec exec) { api->graphExecDestroy(exec); }

bool Driver::record(Event &event) {
  if (!event && !check(api->eventCreate(&event, 0), "cuEventCreate"))
    return false;
  return check(api->eventRecord(event, stream), "cuEventRecord");
}

bool Driver::elapsed(Event start, Event end, float &milliseconds) {
  return check(api->eventSynchronize(end), "cuEventSynchronize") &&
         check(api->eventElapsedTime(&milliseconds, start, end),
               "cuEventElapsedTime");
}

bool Driver::loadBlas() {
  std::vector<std::string> names;
  if (const char *path = std::getenv("KILN_CUBLAS"))
    names.push_back(path);
  names.insert(names.end(), {"libcublas.so.13", "libcublas.so.12",
                             "/usr/local/cuda/lib64/libcublas.so.13",
                             "/usr/local/cuda/lib64/libcublas.so.12"});
  if (const char *home = std::getenv("CUDA_HOME"))
    names.push_back(std::string(home) + "/lib64/libcublas.so");
  void *library = nullptr;
  std::string tried;
  for (const std::string &name : names) {
    if ((library = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL)))
      break;
    tried += " " + name;
  }
  if (!library) {
    lastError =
        "cannot load cuBLAS (tried" + tried + "; set KILN_CUBLAS to its path)";
    return false;
  }
  auto *loaded = new Blas();
  if (!resolve(library, "cublasCreate_v2", loaded->create) ||
      !resolve(library, "cublasSetStream_v2", loaded->setStream) ||
      !resolve(library, "cublasSetWorkspace_v2", loaded->setWorkspace) ||
      !resolve(library, "cublasSgemm_v2", loaded->sgemm) ||
      !resolve(library, "cublasSgemv_v2", loaded->sgemv) ||
      !resolve(library, "cublasSgemmStridedBatched",
               loaded->sgemmStridedBatched)) {
    lastError = "cuBLAS lacks an entry point: " + std::string(dlerror());
    return false;
  }
  if (int status = loaded->create(&loaded->handle)) {
    lastError = "cublasCreate failed: status " + std::to_string(status);
    return false;
  }
  if (!alloc(kBlasWorkspaceBytes, blasWorkspace))
    return false;
  if (int status = loaded->setStream(loaded->handle, stream)) {
    lastError = "cublasSetStream failed: status " + std::to_string(status);
    return false;
  }
  if (int status = loaded->setWorkspace(loaded->handle,
                                        reinterpret_cast<void *>(blasWorkspace),
                                        kBlasWorkspaceBytes)) {
    lastError = "cublasSetWorkspace failed: status " + std::to_string(status);
    return false;
  }
  blas = loaded;
  return true;
}

bool Driver::gemm(bool transposeA, bool transposeB, bool accumulate, int64_t m,
                  int64_t n, int64_t k, DevicePtr a, int64_t lda, DevicePtr b,
                  int64_t ldb, DevicePtr c, int64_t ldc) {
  if (!blas && !loadBlas())
    return false;
  // cuBLAS is column-major: a row-major matrix is its transpose there, so
  // compute c^T = op(b)^T op(a)^T.
  constexpr int kNoTranspose = 0, kTranspose = 1;
  float alpha = 1.0f, beta = accumulate ? 1.0f : 0.0f;
  int status =
      blas->sgemm(blas->handle, transposeB ? kTranspose : kNoTranspose,
                  transposeA ? kTranspose : kNoTranspose, int(n), int(m),
                  int(k), &alpha, reinterpret_cast<const float *>(b), int(ldb),
                  reinterpret_cast<const float *>(a), int(lda), &beta,
                  reinterpret_cast<float *>(c), int(ldc));
  if (status) {
    lastError = "cublasSgemm failed: status " + std::to_string(status);
    return false;
  }
  return true;
}

bool Driver::gemv(bool accumulate, int64_t m, int64_t n, DevicePtr a,
                  DevicePtr x, DevicePtr y) {
  if (!blas && !loadBlas())
    return false;
  constexpr int kNoTranspose = 0;
  float alpha = 1.0f, beta = accumulate ? 1.0f : 0.0f;
  int status = blas->sgemv(blas->handle, kNoTranspose, int(m), int(n), &alpha,
                           reinterpret_cast<const float *>(a), int(m),
                           reinterpret_cast<const float *>(x), 1, &beta,
                           reinterpret_cast<float *>(y), 1);
  if (status) {
    lastError = "cublasSgemv failed: status " + std::to_string(status);
    return false;
  }
  return true;
}

bool Driver::gemmBatched(bool transposeA, bool transposeB, bool accumulate,
                         int64_t m, int64_t n, int64_t k, DevicePtr a,
                         int64_t lda, int64_t strideA, DevicePtr b, int64_t ldb,
                         int64_t strideB, DevicePtr c, int64_t ldc,
                         int64_t strideC, int64_t batches) {
  if (!blas && !loadBlas())
    return false;
  // Column-major, as in gemm: c^T = op(b)^T op(a)^T for each batch.
  constexpr int kNoTranspose = 0, kTranspose = 1;
  float alpha = 1.0f, beta = accumulate ? 1.0f : 0.0f;
  int status = blas->sgemmStridedBatched(
      blas->handle, transposeB ? kTranspose : kNoTranspose,
      transposeA ? kTranspose : kNoTranspose, int(n), int(m), int(k), &alpha,
      reinterpret_cast<const float *>(b), int(ldb), strideB,
      reinterpret_cast<const float *>(a), int(lda), strideA, &beta,
      reinterpret_cast<float *>(c), int(ldc), strideC, int(batches));
  if (status) {
    lastError =
        "cublasSgemmStridedBatched failed: status " + std::to_string(status);
    return false;
  }
  return true;
}

} // namespace kiln::cuda
