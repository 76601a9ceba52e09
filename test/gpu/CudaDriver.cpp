//===- CudaDriver.cpp - The CUDA driver API, loaded at run time -----------===//

#include "CudaDriver.h"

#include <dlfcn.h>

namespace kiln::cuda {

namespace {
using Status = int;
using Device = int;
using Context = void *;
// cuDeviceGetAttribute's CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR/MINOR.
constexpr int kComputeCapabilityMajor = 75;
constexpr int kComputeCapabilityMinor = 76;
} // namespace

/// Driver entry points by their exported names (cuda.h maps the plain names
/// of the memory calls to the _v2 symbols).
struct Driver::Api {
  Status (*init)(unsigned);
  Status (*deviceGetCount)(int *);
  Status (*deviceGet)(Device *, int);
  Status (*deviceGetAttribute)(int *, int, Device);
  Status (*primaryCtxRetain)(Context *, Device);
  Status (*ctxSetCurrent)(Context);
  Status (*ctxSynchronize)();
  Status (*moduleLoadData)(Module *, const void *);
  Status (*moduleGetFunction)(Function *, Module, const char *);
  Status (*memAlloc)(DevicePtr *, size_t);
  Status (*memFree)(DevicePtr);
  Status (*memcpyHtoD)(DevicePtr, const void *, size_t);
  Status (*memcpyDtoH)(void *, DevicePtr, size_t);
  Status (*memsetD8)(DevicePtr, unsigned char, size_t);
  Status (*launchKernel)(Function, unsigned, unsigned, unsigned, unsigned,
                         unsigned, unsigned, unsigned, void *, void **,
                         void **);
  Status (*getErrorString)(Status, const char **);
};

namespace {
template <typename Fn> bool resolve(void *library, const char *name, Fn &fn) {
  fn = reinterpret_cast<Fn>(dlsym(library, name));
  return fn != nullptr;
}

llvm::Expected<Driver::Api *> loadApi() {
  void *library = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!library)
    return llvm::createStringError("cannot load libcuda.so.1 (no NVIDIA "
                                   "driver on this machine): " +
                                   std::string(dlerror()));
  auto *api = new Driver::Api();
  bool ok =
      resolve(library, "cuInit", api->init) &&
      resolve(library, "cuDeviceGetCount", api->deviceGetCount) &&
      resolve(library, "cuDeviceGet", api->deviceGet) &&
      resolve(library, "cuDeviceGetAttribute", api->deviceGetAttribute) &&
      resolve(library, "cuDevicePrimaryCtxRetain", api->primaryCtxRetain) &&
      resolve(library, "cuCtxSetCurrent", api->ctxSetCurrent) &&
      resolve(library, "cuCtxSynchronize", api->ctxSynchronize) &&
      resolve(library, "cuModuleLoadData", api->moduleLoadData) &&
      resolve(library, "cuModuleGetFunction", api->moduleGetFunction) &&
      resolve(library, "cuMemAlloc_v2", api->memAlloc) &&
      resolve(library, "cuMemFree_v2", api->memFree) &&
      resolve(library, "cuMemcpyHtoD_v2", api->memcpyHtoD) &&
      resolve(library, "cuMemcpyDtoH_v2", api->memcpyDtoH) &&
      resolve(library, "cuMemsetD8_v2", api->memsetD8) &&
      resolve(library, "cuLaunchKernel", api->launchKernel) &&
      resolve(library, "cuGetErrorString", api->getErrorString);
  if (!ok)
    return llvm::createStringError("libcuda.so.1 lacks a driver entry point: " +
                                   std::string(dlerror()));
  return api;
}
} // namespace

llvm::Error Driver::check(Status status, const char *call) {
  if (status == 0)
    return llvm::Error::success();
  const char *text = nullptr;
  if (api->getErrorString(status, &text) != 0 || !text)
    text = "unknown error";
  return llvm::createStringError(std::string(call) + " failed: " + text + " (" +
                                 std::to_string(status) + ")");
}

llvm::Expected<Driver &> Driver::get() {
  static Driver driver;
  static std::string failure;
  static bool loaded = [] {
    auto fail = [](llvm::Error error) {
      failure = llvm::toString(std::move(error));
      return false;
    };
    llvm::Expected<Api *> api = loadApi();
    if (!api)
      return fail(api.takeError());
    driver.api = *api;
    Api &cu = *driver.api;
    int count = 0;
    Device device = 0;
    Context context = nullptr;
    int major = 0, minor = 0;
    if (llvm::Error e = driver.check(cu.init(0), "cuInit"))
      return fail(std::move(e));
    if (llvm::Error e =
            driver.check(cu.deviceGetCount(&count), "cuDeviceGetCount"))
      return fail(std::move(e));
    if (count == 0)
      return fail(llvm::createStringError("no CUDA device"));
    if (llvm::Error e = driver.check(cu.deviceGet(&device, 0), "cuDeviceGet"))
      return fail(std::move(e));
    if (llvm::Error e = driver.check(
            cu.deviceGetAttribute(&major, kComputeCapabilityMajor, device),
            "cuDeviceGetAttribute"))
      return fail(std::move(e));
    if (llvm::Error e = driver.check(
            cu.deviceGetAttribute(&minor, kComputeCapabilityMinor, device),
            "cuDeviceGetAttribute"))
      return fail(std::move(e));
    if (llvm::Error e = driver.check(cu.primaryCtxRetain(&context, device),
                                     "cuDevicePrimaryCtxRetain"))
      return fail(std::move(e));
    if (llvm::Error e =
            driver.check(cu.ctxSetCurrent(context), "cuCtxSetCurrent"))
      return fail(std::move(e));
    // Kiln emits PTX for sm_90 and sm_80; the driver JIT-compiles sm_80 PTX
    // for any newer device.
    driver.deviceChip = major >= 9 ? "sm_90" : "sm_80";
    if (major < 8)
      return fail(llvm::createStringError(
          "device of compute capability " + std::to_string(major) + "." +
          std::to_string(minor) + " is older than sm_80"));
    return true;
  }();
  if (!loaded)
    return llvm::createStringError(failure);
  return driver;
}

llvm::Expected<Module> Driver::loadModule(const std::string &ptx) {
  Module module = nullptr;
  if (llvm::Error e =
          check(api->moduleLoadData(&module, ptx.c_str()), "cuModuleLoadData"))
    return std::move(e);
  return module;
}

llvm::Expected<Function> Driver::function(Module module,
                                          const std::string &name) {
  Function function = nullptr;
  if (llvm::Error e =
          check(api->moduleGetFunction(&function, module, name.c_str()),
                "cuModuleGetFunction"))
    return std::move(e);
  return function;
}

llvm::Expected<DevicePtr> Driver::alloc(size_t bytes) {
  DevicePtr ptr = 0;
  // A zero-byte allocation fails; one byte keeps every buffer distinct.
  if (llvm::Error e =
          check(api->memAlloc(&ptr, std::max<size_t>(bytes, 1)), "cuMemAlloc"))
    return std::move(e);
  return ptr;
}

llvm::Error Driver::free(DevicePtr ptr) {
  return check(api->memFree(ptr), "cuMemFree");
}

llvm::Error Driver::upload(DevicePtr dst, const void *src, size_t bytes) {
  return check(api->memcpyHtoD(dst, src, bytes), "cuMemcpyHtoD");
}

llvm::Error Driver::download(void *dst, DevicePtr src, size_t bytes) {
  return check(api->memcpyDtoH(dst, src, bytes), "cuMemcpyDtoH");
}

llvm::Error Driver::fill(DevicePtr dst, uint8_t value, size_t bytes) {
  return check(api->memsetD8(dst, value, bytes), "cuMemsetD8");
}

llvm::Error Driver::launch(Function function, const int64_t grid[3],
                           const int64_t block[3],
                           std::vector<void *> &params) {
  return check(api->launchKernel(function, grid[0], grid[1], grid[2], block[0],
                                 block[1], block[2],
                                 /*sharedMemBytes=*/0, /*stream=*/nullptr,
                                 params.data(), /*extra=*/nullptr),
               "cuLaunchKernel");
}

llvm::Error Driver::synchronize() {
  return check(api->ctxSynchronize(), "cuCtxSynchronize");
}

struct Driver::Blas {
  using Status = int;
  void *handle = nullptr;
  Status (*create)(void **);
  Status (*sgemm)(void *, int, int, int, int, int, const float *, const float *,
                  int, const float *, int, const float *, float *, int);
};

llvm::Error Driver::gemm(bool transposeA, bool transposeB, bool accumulate,
                         int64_t m, int64_t n, int64_t k, DevicePtr a,
                         int64_t lda, DevicePtr b, int64_t ldb, DevicePtr c,
                         int64_t ldc) {
  if (!blas) {
    void *library = nullptr;
    std::string tried;
    std::string home = getenv("CUDA_HOME") ? getenv("CUDA_HOME") : "";
    for (std::string name :
         {std::string("libcublas.so.13"), std::string("libcublas.so.12"),
          std::string("libcublas.so"),
          std::string("/usr/local/cuda/lib64/libcublas.so.13"),
          home + "/lib64/libcublas.so"}) {
      if ((library = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL)))
        break;
      tried += " " + name;
    }
    if (!library)
      return llvm::createStringError("cannot load cuBLAS (tried" + tried + ")");
    auto *loaded = new Blas();
    if (!resolve(library, "cublasCreate_v2", loaded->create) ||
        !resolve(library, "cublasSgemm_v2", loaded->sgemm))
      return llvm::createStringError("cuBLAS lacks cublasSgemm_v2");
    if (int status = loaded->create(&loaded->handle))
      return llvm::createStringError("cublasCreate failed: " +
                                     std::to_string(status));
    blas = loaded;
  }
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
  if (status)
    return llvm::createStringError("cublasSgemm failed: " +
                                   std::to_string(status));
  return llvm::Error::success();
}

} // namespace kiln::cuda
