//===- executor.cpp - Graph functions of a kernel bundle on the GPU -------===//

#include "executor.h"

#include "kernels_generated.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace kiln::cuda {

size_t DeviceAllocator::rounded(size_t bytes) {
  // Powers of two up to 1 MiB, then whole MiB: little waste, few sizes.
  constexpr size_t kMiB = 1u << 20;
  if (bytes >= kMiB)
    return (bytes + kMiB - 1) / kMiB * kMiB;
  size_t size = 256;
  while (size < bytes)
    size *= 2;
  return size;
}

bool DeviceAllocator::allocate(size_t bytes, DevicePtr &ptr) {
  std::vector<DevicePtr> &blocks = freeBlocks[rounded(bytes)];
  if (!blocks.empty()) {
    ptr = blocks.back();
    blocks.pop_back();
    return true;
  }
  return driver.alloc(rounded(bytes), ptr);
}

void DeviceAllocator::release(DevicePtr ptr, size_t bytes) {
  freeBlocks[rounded(bytes)].push_back(ptr);
}

/// A function of the bundle, ready to run.
struct Executor::Loaded {
  const bundle::Function *fn = nullptr;
  /// Per argument: its first use reads it, so the device needs its value.
  std::vector<bool> readsFirst;
  /// Per buffer: some step writes it.
  std::vector<bool> written;
  /// Per step: the kernel (null for GEMMs).
  std::vector<Function> kernels;
  /// Per step: how many parts a GEMM's inner dimension is split into (1:
  /// not split), and where the parts' products go.
  std::vector<int64_t> splits;
  std::vector<DevicePtr> partials;
  /// Per buffer: the arguments' mirrors, then the temporaries, which the
  /// function keeps so that its graph stays valid.
  std::vector<DevicePtr> device;
  /// Per step: its kernel parameters' values and pointers to them, for the
  /// buffers in `device`.
  std::vector<std::vector<uint64_t>> words;
  std::vector<std::vector<void *>> params;
  /// The graph of the launches, and the buffers it was recorded with.
  GraphExec graph = nullptr;
  std::vector<DevicePtr> captured;
  /// Calls run with the parameters above.
  int64_t callsWithParams = 0;
  /// KILN_CUDA_PROFILE: per step, its milliseconds over all calls, and
  /// the events around it.
  std::vector<double> milliseconds;
  std::vector<Event> events;
  int64_t calls = 0;
};

Executor::Executor(Driver &driver) : driver(driver), allocator(driver) {
  const char *graphs = std::getenv("KILN_CUDA_GRAPHS");
  useGraphs = !(graphs && std::strcmp(graphs, "0") == 0);
  const char *timing = std::getenv("KILN_CUDA_PROFILE");
  profile = timing && std::strcmp(timing, "1") == 0;
  useGraphs = useGraphs && !profile;
}

Executor::~Executor() {
  if (profile)
    printProfile();
  for (auto &f : functions)
    if (f && f->graph)
      driver.destroyGraph(f->graph);
}

bool Executor::fail(std::string &error, const std::string &what) {
  error = what;
  return false;
}

std::unique_ptr<Executor> Executor::create(const void *bundle, size_t size,
                                           std::string &error) {
  Driver *driver = Driver::get(error);
  if (!driver)
    return nullptr;
  std::unique_ptr<Executor> executor(new Executor(*driver));
  const auto *begin = static_cast<const uint8_t *>(bundle);
  // A copy: 8-byte aligned for the verifier, and owned.
  executor->bytes.assign(begin, begin + size);
  if (!verifyBundle(executor->bytes.data(), size, error))
    return nullptr;
  executor->root = bundle::GetBundle(executor->bytes.data());
  executor->modules.assign(executor->root->modules()->size(), nullptr);
  executor->functions.resize(executor->root->functions()->size());
  return executor;
}

namespace {
/// Whether the view of `operand` lies inside a buffer of `bytes`.
bool viewInBounds(const bundle::Operand &operand, int64_t bytes) {
  const auto *sizes = operand.sizes();
  const auto *strides = operand.strides();
  int64_t width = operand.element_bytes();
  if (!sizes || !strides || sizes->size() != strides->size() ||
      (width != 1 && width != 2 && width != 4 && width != 8) ||
      operand.offset() < 0)
    return false;
  int64_t last = operand.offset();
  for (size_t d = 0; d < sizes->size(); ++d) {
    int64_t n = sizes->Get(d), stride = strides->Get(d);
    if (n < 0 || stride < 0)
      return false;
    if (n == 0)
      return true; // an empty view touches nothing
    last += (n - 1) * stride;
  }
  return (last + 1) * width <= bytes;
}
} // namespace

bool verifyBundle(const void *bytes, size_t size, std::string &error) {
  auto fail = [&](const std::string &what) {
    error = "kernel bundle: " + what;
    return false;
  };
  const auto *data = static_cast<const uint8_t *>(bytes);
  flatbuffers::Verifier verifier(data, size);
  if (size < 8 || !bundle::BundleBufferHasIdentifier(data) ||
      !bundle::VerifyBundleBuffer(verifier))
    return fail("not a well-formed kernel bundle");
  const bundle::Bundle *root = bundle::GetBundle(data);
  if (!root->functions() || !root->modules())
    return fail("no function or module list");
  for (const bundle::Module *module : *root->modules())
    if (!module->name() || !module->chips() || !module->ptx() ||
        module->chips()->size() != module->ptx()->size())
      return fail("a kernel module is malformed");
  for (const bundle::Function *fn : *root->functions()) {
    std::string where = "function '" +
                        std::string(fn->name() ? fn->name()->str() : "?") +
                        "': ";
    if (!fn->name() || !fn->buffers() || !fn->steps() ||
        fn->arguments() > fn->buffers()->size())
      return fail(where + "malformed");
    for (size_t b = 0; b < fn->buffers()->size(); ++b) {
      const bundle::Buffer &buffer = *fn->buffers()->Get(b);
      bool argument = buffer.role() == bundle::BufferRole::Argument;
      if (buffer.bytes() < 0 || argument != (b < fn->arguments()) ||
          (buffer.role() == bundle::BufferRole::Constant &&
           (!buffer.contents() ||
            int64_t(buffer.contents()->size()) != buffer.bytes())))
        return fail(where + "buffer " + std::to_string(b) + " is malformed");
    }
    for (const bundle::Step *step : *fn->steps()) {
      if (!step->operands())
        return fail(where + "a step has no operands");
      if (step->kind() == bundle::StepKind::Kernel) {
        if (step->module_index() >= root->modules()->size() ||
            !step->kernel() || !step->grid() || !step->block() ||
            step->grid()->size() != 3 || step->block()->size() != 3)
          return fail(where + "a launch is malformed");
      } else if (step->operands()->size() != 3) {
        return fail(where + "a GEMM does not have three operands");
      }
      for (const bundle::Operand *operand : *step->operands()) {
        if (operand->scalar())
          continue;
        if (operand->buffer() >= fn->buffers()->size() ||
            !viewInBounds(*operand,
                          fn->buffers()->Get(operand->buffer())->bytes()))
          return fail(where + "an operand's view is out of bounds");
        size_t rank = operand->sizes()->size();
        if (step->kind() == bundle::StepKind::Gemm &&
            ((rank != 2 && rank != 4) ||
             rank != step->operands()->Get(0)->sizes()->size() ||
             operand->strides()->Get(rank - 1) != 1 ||
             operand->element_bytes() != 4))
          return fail(where + "a GEMM operand is not a row-major f32 "
                              "matrix or batch of them");
      }
    }
  }
  return true;
}

int32_t Executor::functionIndex(std::string_view name) const {
  for (size_t i = 0; i < root->functions()->size(); ++i)
    if (root->functions()->Get(i)->name()->string_view() == name)
      return int32_t(i);
  return -1;
}

namespace {
constexpr int64_t kMostSplits = 32;
} // namespace

int64_t Executor::splitsOf(const bundle::Step &step) {
  // A small product over a long inner dimension (a weight gradient summed
  // over many positions) leaves most of the GPU idle: its inner dimension
  // is split into parts multiplied in parallel and summed in a fixed order.
  const bundle::Operand &a = *step.operands()->Get(0),
                        &c = *step.operands()->Get(2);
  if (c.sizes()->size() != 2)
    return 1;
  int64_t m = c.sizes()->Get(0), n = c.sizes()->Get(1);
  int64_t k = step.transpose_a() ? a.sizes()->Get(0) : a.sizes()->Get(1);
  if (m * n > 16384 || k < 1024 || c.strides()->Get(0) != n)
    return 1;
  for (int64_t parts = kMostSplits; parts > 1; parts /= 2)
    if (k % parts == 0 && k / parts >= 64)
      return parts;
  return 1;
}

bool Executor::makeOnes() {
  std::vector<float> values(kMostSplits, 1.0f);
  return allocator.allocate(sizeof(float) * kMostSplits, ones) &&
         driver.upload(ones, values.data(), sizeof(float) * kMostSplits) &&
         driver.synchronize();
}

bool Executor::prepare(int32_t index, std::string &error) {
  auto f = std::make_unique<Loaded>();
  f->fn = root->functions()->Get(index);
  const bundle::Function &fn = *f->fn;
  size_t numBuffers = fn.buffers()->size();
  f->written.assign(numBuffers, false);
  std::vector<bool> touched(numBuffers, false);
  f->readsFirst.assign(fn.arguments(), false);
  for (const bundle::Step *step : *fn.steps()) {
    bool gemm = step->kind() == bundle::StepKind::Gemm;
    for (unsigned i = 0; i < step->operands()->size(); ++i) {
      const bundle::Operand *operand = step->operands()->Get(i);
      if (operand->scalar())
        continue;
      bool reads = gemm ? (i < 2 || step->accumulate()) : operand->reads();
      bool writes = gemm ? i == 2 : operand->writes();
      unsigned b = operand->buffer();
      if (!touched[b] && b < fn.arguments())
        f->readsFirst[b] = reads;
      touched[b] = true;
      f->written[b] = f->written[b] || writes;
    }
    Function kernel = nullptr;
    if (!gemm) {
      Module &module = modules[step->module_index()];
      if (!module) {
        const bundle::Module &source =
            *root->modules()->Get(step->module_index());
        const flatbuffers::String *ptx = nullptr;
        for (size_t c = 0; c < source.chips()->size(); ++c)
          if (source.chips()->Get(c)->str() == driver.chip())
            ptx = source.ptx()->Get(c);
        if (!ptx)
          return fail(error, "the program has no PTX for " + driver.chip() +
                                 " (" + driver.name() + ")");
        if (!driver.loadModule(ptx->str(), module))
          return fail(error, driver.error());
      }
      if (!driver.function(module, step->kernel()->str(), kernel))
        return fail(error, driver.error());
    }
    f->kernels.push_back(kernel);
    f->splits.push_back(gemm ? splitsOf(*step) : 1);
    f->partials.push_back(0);
    if (f->splits.back() > 1) {
      const bundle::Operand &c = *step->operands()->Get(2);
      size_t bytes =
          4 * f->splits.back() * c.sizes()->Get(0) * c.sizes()->Get(1);
      if (!allocator.allocate(bytes, f->partials.back()) ||
          (!ones && !makeOnes()))
        return fail(error, driver.error());
    }
  }
  f->device.assign(numBuffers, 0);
  for (size_t b = fn.arguments(); b < numBuffers; ++b) {
    const bundle::Buffer &buffer = *fn.buffers()->Get(b);
    if (!allocator.allocate(buffer.bytes(), f->device[b]))
      return fail(error, driver.error());
    if (buffer.role() == bundle::BufferRole::Constant &&
        !driver.upload(f->device[b], buffer.contents()->data(), buffer.bytes()))
      return fail(error, driver.error());
  }
  functions[index] = std::move(f);
  return true;
}

bool Executor::mirrorOf(void *buffer, size_t size, Mirror *&mirror,
                        std::string &error) {
  mirror = &mirrors[buffer];
  if (mirror->ptr && mirror->bytes != size)
    return fail(error, "a host buffer was given to the GPU with " +
                           std::to_string(size) + " bytes after " +
                           std::to_string(mirror->bytes));
  if (!mirror->ptr) {
    if (!allocator.allocate(size, mirror->ptr))
      return fail(error, driver.error());
    mirror->bytes = size;
  }
  return true;
}

bool Executor::invoke(int32_t index, void *const *buffers, size_t count,
                      std::string &error) {
  if (index < 0 || size_t(index) >= functions.size())
    return fail(error, "no GPU function " + std::to_string(index));
  if (!functions[index] && !prepare(index, error))
    return false;
  Loaded &f = *functions[index];
  const bundle::Function &fn = *f.fn;
  if (count != fn.arguments())
    return fail(error, "GPU function '" + fn.name()->str() + "' takes " +
                           std::to_string(fn.arguments()) + " buffers, not " +
                           std::to_string(count));
  for (size_t a = 0; a < count; ++a) {
    Mirror *mirror = nullptr;
    if (!mirrorOf(buffers[a], fn.buffers()->Get(a)->bytes(), mirror, error))
      return false;
    if (f.readsFirst[a] && !mirror->deviceValid) {
      if (!driver.upload(mirror->ptr, buffers[a], mirror->bytes))
        return fail(error, driver.error());
      mirror->deviceValid = true;
    }
    if (f.device[a] != mirror->ptr) {
      f.device[a] = mirror->ptr;
      f.callsWithParams = 0;
    }
  }
  if (!run(f, error))
    return false;
  for (size_t a = 0; a < count; ++a)
    if (f.written[a]) {
      Mirror &mirror = mirrors[buffers[a]];
      mirror.deviceValid = true;
      mirror.hostValid = false;
    }
  return true;
}

bool Executor::run(Loaded &f, std::string &error) {
  const bundle::Function &fn = *f.fn;
  if (f.graph && f.captured == f.device)
    return driver.launchGraph(f.graph) || fail(error, driver.error());

  if (f.callsWithParams == 0) {
    // Each memref operand expands to its descriptor's fields: allocated and
    // aligned pointer, offset, sizes, strides. Every parameter is 8 bytes
    // wide except narrower scalars, whose low bytes a little-endian word
    // already holds.
    f.words.assign(fn.steps()->size(), {});
    f.params.assign(fn.steps()->size(), {});
    for (size_t s = 0; s < fn.steps()->size(); ++s) {
      const bundle::Step &step = *fn.steps()->Get(s);
      if (step.kind() != bundle::StepKind::Kernel)
        continue;
      std::vector<uint64_t> &words = f.words[s];
      for (const bundle::Operand *operand : *step.operands()) {
        if (operand->scalar()) {
          words.push_back(operand->bits());
          continue;
        }
        words.push_back(f.device[operand->buffer()]);
        words.push_back(f.device[operand->buffer()]);
        words.push_back(operand->offset());
        words.insert(words.end(), operand->sizes()->begin(),
                     operand->sizes()->end());
        words.insert(words.end(), operand->strides()->begin(),
                     operand->strides()->end());
      }
      for (uint64_t &word : words)
        f.params[s].push_back(&word);
    }
  }

  if (profile)
    return runTimed(f, error);
  // The first call with these buffers runs the steps (loading cuBLAS and
  // compiling nothing in a capture); the second records them as a graph.
  bool capture = useGraphs && f.callsWithParams >= 1;
  if (capture) {
    if (f.graph)
      driver.destroyGraph(f.graph);
    f.graph = nullptr;
    if (!driver.beginCapture())
      return fail(error, driver.error());
  }
  bool ok = true;
  for (size_t s = 0; ok && s < fn.steps()->size(); ++s)
    ok = issue(f, s);
  std::string failure = ok ? "" : driver.error();
  if (capture) {
    GraphExec graph = nullptr;
    if (!driver.endCapture(graph) && ok) {
      ok = false;
      failure = driver.error();
    }
    if (ok) {
      f.graph = graph;
      f.captured = f.device;
      ok = driver.launchGraph(f.graph);
      if (!ok)
        failure = driver.error();
    }
  }
  ++f.callsWithParams;
  return ok || fail(error, failure);
}

bool Executor::runTimed(Loaded &f, std::string &error) {
  size_t steps = f.fn->steps()->size();
  f.milliseconds.resize(steps, 0.0);
  f.events.resize(steps + 1, nullptr);
  if (!driver.record(f.events[0]))
    return fail(error, driver.error());
  for (size_t s = 0; s < steps; ++s)
    if (!issue(f, s) || !driver.record(f.events[s + 1]))
      return fail(error, driver.error());
  for (size_t s = 0; s < steps; ++s) {
    float ms = 0;
    if (!driver.elapsed(f.events[s], f.events[s + 1], ms))
      return fail(error, driver.error());
    f.milliseconds[s] += ms;
  }
  ++f.calls;
  ++f.callsWithParams;
  return true;
}

void Executor::printProfile() const {
  struct Row {
    double ms;
    const Loaded *f;
    size_t step;
  };
  std::vector<Row> rows;
  double total = 0;
  for (const auto &f : functions)
    if (f)
      for (size_t s = 0; s < f->milliseconds.size(); ++s) {
        rows.push_back({f->milliseconds[s], f.get(), s});
        total += f->milliseconds[s];
      }
  std::sort(rows.begin(), rows.end(),
            [](const Row &a, const Row &b) { return a.ms > b.ms; });
  std::fprintf(stderr,
               "KILN_CUDA_PROFILE: %.1f ms on the GPU in all; the "
               "longest steps:\n",
               total);
  std::fprintf(stderr, "%9s %6s %9s  %s\n", "ms", "share", "us/call", "step");
  for (size_t i = 0; i < rows.size() && i < 25; ++i) {
    const Row &row = rows[i];
    const bundle::Step &step = *row.f->fn->steps()->Get(row.step);
    std::string what;
    if (step.kind() == bundle::StepKind::Gemm) {
      what = "gemm";
      for (int64_t d : *step.operands()->Get(2)->sizes())
        what += " " + std::to_string(d);
    } else {
      what = root->modules()->Get(step.module_index())->name()->str() + " grid";
      for (uint32_t d : *step.grid())
        what += " " + std::to_string(d);
      what += " block";
      for (uint32_t d : *step.block())
        what += " " + std::to_string(d);
    }
    std::fprintf(stderr, "%9.2f %5.1f%% %9.2f  %s #%zu: %s\n", row.ms,
                 total > 0 ? 100 * row.ms / total : 0.0,
                 1000 * row.ms / double(std::max<int64_t>(row.f->calls, 1)),
                 row.f->fn->name()->c_str(), row.step, what.c_str());
  }
}

bool Executor::issue(Loaded &f, size_t s) {
  const bundle::Step &step = *f.fn->steps()->Get(s);
  if (step.kind() == bundle::StepKind::Kernel)
    return driver.launch(f.kernels[s], step.grid()->data(),
                         step.block()->data(), f.params[s].data());
  auto at = [&](const bundle::Operand &operand) {
    return f.device[operand.buffer()] + 4 * operand.offset();
  };
  auto dim = [](const bundle::Operand &o, int d) { return o.sizes()->Get(d); };
  auto stride = [](const bundle::Operand &o, int d) {
    return o.strides()->Get(d);
  };
  const bundle::Operand &a = *step.operands()->Get(0),
                        &b = *step.operands()->Get(1),
                        &c = *step.operands()->Get(2);
  if (c.sizes()->size() == 2 && f.splits[s] > 1) {
    // Parts of the inner dimension as a strided batch, then their sum.
    int64_t m = dim(c, 0), n = dim(c, 1), parts = f.splits[s];
    int64_t k = (step.transpose_a() ? dim(a, 0) : dim(a, 1)) / parts;
    int64_t strideA = step.transpose_a() ? k * stride(a, 0) : k;
    int64_t strideB = step.transpose_b() ? k : k * stride(b, 0);
    return driver.gemmBatched(step.transpose_a(), step.transpose_b(),
                              /*accumulate=*/false, m, n, k, at(a),
                              stride(a, 0), strideA, at(b), stride(b, 0),
                              strideB, f.partials[s], n, m * n, parts) &&
           driver.gemv(step.accumulate(), m * n, parts, f.partials[s], ones,
                       at(c));
  }
  if (c.sizes()->size() == 2)
    return driver.gemm(step.transpose_a(), step.transpose_b(),
                       step.accumulate(), dim(c, 0), dim(c, 1),
                       step.transpose_a() ? dim(a, 0) : dim(a, 1), at(a),
                       stride(a, 0), at(b), stride(b, 0), at(c), stride(c, 0));
  // Two batch dimensions: one strided batched call over both when each
  // operand's batches are evenly spaced (contiguous heads), else one call
  // per index of the smaller over the larger.
  int64_t k = step.transpose_a() ? dim(a, 2) : dim(a, 3);
  auto evenlySpaced = [&](const bundle::Operand &o) {
    return stride(o, 0) == dim(o, 1) * stride(o, 1);
  };
  bool even =
      dim(c, 1) == 1 || (evenlySpaced(a) && evenlySpaced(b) && evenlySpaced(c));
  int batched = dim(c, 0) >= dim(c, 1) ? 0 : 1, looped = 1 - batched;
  int64_t count = even ? dim(c, 0) * dim(c, 1) : dim(c, batched);
  int64_t loops = even ? 1 : dim(c, looped);
  if (even)
    batched = dim(c, 1) == 1 ? 0 : 1;
  for (int64_t i = 0; i < loops; ++i) {
    auto base = [&](const bundle::Operand &o) {
      return at(o) + 4 * i * (even ? 0 : stride(o, looped));
    };
    if (!driver.gemmBatched(step.transpose_a(), step.transpose_b(),
                            step.accumulate(), dim(c, 2), dim(c, 3), k, base(a),
                            stride(a, 2), stride(a, batched), base(b),
                            stride(b, 2), stride(b, batched), base(c),
                            stride(c, 2), stride(c, batched), count))
      return false;
  }
  return true;
}

bool Executor::hostUse(void *buffer, std::string &error) {
  auto it = mirrors.find(buffer);
  if (it == mirrors.end())
    return true;
  Mirror &mirror = it->second;
  if (!mirror.hostValid) {
    if (!driver.download(buffer, mirror.ptr, mirror.bytes))
      return fail(error, driver.error());
    mirror.hostValid = true;
  }
  mirror.deviceValid = false;
  return true;
}

bool Executor::syncAll(std::string &error) {
  for (auto &[buffer, mirror] : mirrors)
    if (!mirror.hostValid) {
      if (!driver.download(buffer, mirror.ptr, mirror.bytes))
        return fail(error, driver.error());
      mirror.hostValid = true;
    }
  return true;
}

bool Executor::hostUseAll(std::string &error) {
  for (auto &[buffer, mirror] : mirrors)
    if (!hostUse(buffer, error))
      return false;
  return true;
}

} // namespace kiln::cuda
