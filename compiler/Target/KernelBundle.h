//===- KernelBundle.h - GPU functions as a runtime kernel bundle -*- C++
//-*-===//
//
// Serializes compiled GPU functions (launch lists and PTX) into the kernel
// bundle the runtime executes (runtime/src/cuda/kernels.fbs): the form in
// which native programs carry their GPU code.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_TARGET_KERNELBUNDLE_H
#define KILN_COMPILER_TARGET_KERNELBUNDLE_H

#include "compiler/Target/GPUModule.h"

#include <map>
#include <memory>
#include <string>
#include <utility>

namespace flatbuffers {
class FlatBufferBuilder;
}

namespace kiln {

class KernelBundleBuilder {
public:
  KernelBundleBuilder();
  ~KernelBundleBuilder();

  /// Adds public function `name` of `gpu` (which must outlive the builder)
  /// as `bundleName` and returns its index in the bundle.
  unsigned add(const GPUModule &gpu, llvm::StringRef name,
               llvm::StringRef bundleName);
  /// The bundle's bytes.
  std::string finish();

private:
  unsigned moduleIndex(const GPUModule &gpu, const std::string &module);

  std::unique_ptr<flatbuffers::FlatBufferBuilder> fbb;
  std::vector<uint32_t> functionOffsets, moduleOffsets;
  std::map<std::pair<const GPUModule *, std::string>, unsigned> modules;
};

} // namespace kiln

#endif // KILN_COMPILER_TARGET_KERNELBUNDLE_H
