//===- program.cpp - The lifecycle of a compiled experiment's run ---------===//
//
// Setup and hyper-parameters, outputs, parameter initialization and logging
// behind program.h. Data views live in data.cpp, the progress line in
// progress.cpp.
//
//===----------------------------------------------------------------------===//

#include "run.h"
#include "support.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace kiln {
namespace {

int64_t declare(kiln_run *run, const char *name, kiln_hparam param,
                int32_t fixed) {
  if (run->started)
    fatal(run, "internal error: hyper-parameter '" + std::string(name) +
                   "' declared after kiln_run_start");
  param.name = run->strings.emplace_back(name).c_str();
  param.fixed = fixed != 0;
  run->params.push_back(param);
  run->choices.emplace_back();
  return int64_t(run->params.size()) - 1;
}

const kiln_hparam &hparam(const kiln_run *run, int64_t index, int32_t type) {
  static const char *const kTypeNames[] = {"int", "float", "bool", "string"};
  if (index < 0 || index >= int64_t(run->params.size()) ||
      run->params[index].type != type)
    fatal(const_cast<kiln_run *>(run),
          "internal error: no " + std::string(kTypeNames[type]) +
              " hyper-parameter has index " + std::to_string(index));
  return run->params[index];
}

/// Removes the metrics and event files of an earlier run in `dir`: a run
/// that does not resume starts its outputs afresh.
void removeEarlierOutputs(kiln_run *run, const std::string &dir) {
  std::error_code error;
  std::vector<std::filesystem::path> earlier = {std::filesystem::path(dir) /
                                                "metrics.jsonl"};
  for (const auto &entry : std::filesystem::directory_iterator(dir, error))
    if (entry.path().filename().string().rfind("events.out.tfevents.", 0) == 0)
      earlier.push_back(entry.path());
  for (const std::filesystem::path &path : earlier)
    if (!error)
      std::filesystem::remove(path, error);
  if (error)
    fatal(run, dir + ": cannot remove the outputs of an earlier run: " +
                   error.message());
}

void recordTensor(kiln_run *run, kiln_run::Tensor tensor) {
  for (const kiln_run::Tensor &other : run->tensors)
    if (other.name == tensor.name)
      fatal(run, "internal error: parameter or state '" + tensor.name +
                     "' registered twice");
  run->tensors.push_back(std::move(tensor));
}

/// `pattern` with its `{...}` holes filled by the pending hole values.
const char *metricName(kiln_run *run, const char *pattern) {
  if (run->holes.empty())
    return pattern;
  std::string &name = run->holeName;
  name.clear();
  size_t hole = 0;
  for (const char *c = pattern; *c; ++c) {
    const char *close = *c == '{' ? std::strchr(c, '}') : nullptr;
    if (!close || hole == run->holes.size()) {
      name.push_back(*c);
      continue;
    }
    name += run->holes[hole++];
    c = close;
  }
  if (hole != run->holes.size())
    fatal(run, "internal error: metric '" + std::string(pattern) + "' has " +
                   std::to_string(hole) + " holes but " +
                   std::to_string(run->holes.size()) + " values");
  run->holes.clear();
  return name.c_str();
}

void logValue(kiln_run *run, const char *pattern, double value, bool isF32) {
  if (!run->started)
    fatal(run, "internal error: '" + std::string(pattern) +
                   "' logged before kiln_run_start");
  const char *name = metricName(run, pattern);
  // A resumed run replaying up to its checkpoint logged this already.
  if (!run->checkpoints.live) {
    run->tags.clear();
    return;
  }
  run->tagViews.clear();
  for (const kiln_run::PendingTag &tag : run->tags)
    run->tagViews.push_back({tag.key.c_str(),
                             tag.isString ? tag.stringValue.c_str() : nullptr,
                             tag.intValue});
  int64_t step = run->progress.steps();
  int32_t status =
      isF32 ? kiln_metrics_log_f32(run->metrics, step, name, float(value),
                                   run->tagViews.data(), run->tagViews.size())
            : kiln_metrics_log_f64(run->metrics, step, name, value,
                                   run->tagViews.data(), run->tagViews.size());
  if (status != 0 ||
      kiln_tfevents_scalar(run->events, step, name, float(value)) != 0)
    fatal(run, kiln_last_error());
  run->tags.clear();
  noteLogged(run, name, value);
}

kiln_run::PendingTag &pendingTag(kiln_run *run, const char *key) {
  // A key set twice before a log keeps its last value.
  for (kiln_run::PendingTag &tag : run->tags)
    if (tag.key == key)
      return tag;
  run->tags.emplace_back();
  run->tags.back().key = key;
  return run->tags.back();
}

} // namespace

void closeOutputs(kiln_run *run) {
  if (run->metrics)
    kiln_metrics_close(run->metrics);
  if (run->events)
    kiln_tfevents_close(run->events);
  run->metrics = nullptr;
  run->events = nullptr;
}

void fatal(kiln_run *run, const std::string &message) {
  if (run) {
    run->progress.clearLine();
    closeOutputs(run);
  }
  std::fprintf(stderr, "error: %s\n", message.c_str());
  std::fflush(stderr);
  std::exit(1);
}

} // namespace kiln

using kiln::fatal;

extern "C" {

kiln_run *kiln_run_create(int32_t argc, char **argv, const char *experiment,
                          const char *source_hash) {
  auto *run = new kiln_run;
  run->argc = argc;
  run->argv = argv;
  run->experiment = experiment ? experiment : "experiment";
  run->sourceHash = source_hash ? source_hash : "";
  run->defaultOutDir = "runs/" + run->experiment;
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  run->options = {};
  run->options.out_dir = run->defaultOutDir.c_str();
  run->options.device = KILN_DEVICE_CPU;
  run->options.threads = int32_t(cpus > 0 ? cpus : 1);
  run->options.keep_checkpoints = 3;
  return run;
}

int64_t kiln_run_declare_int(kiln_run *run, const char *name,
                             int64_t default_value, int32_t fixed) {
  kiln_hparam param{};
  param.type = KILN_HPARAM_INT;
  param.int_value = default_value;
  return kiln::declare(run, name, param, fixed);
}

int64_t kiln_run_declare_float(kiln_run *run, const char *name,
                               double default_value, int32_t fixed) {
  kiln_hparam param{};
  param.type = KILN_HPARAM_FLOAT;
  param.float_value = default_value;
  return kiln::declare(run, name, param, fixed);
}

int64_t kiln_run_declare_bool(kiln_run *run, const char *name,
                              int32_t default_value, int32_t fixed) {
  kiln_hparam param{};
  param.type = KILN_HPARAM_BOOL;
  param.bool_value = default_value != 0;
  return kiln::declare(run, name, param, fixed);
}

int64_t kiln_run_declare_string(kiln_run *run, const char *name,
                                const char *default_value, int32_t fixed) {
  kiln_hparam param{};
  param.type = KILN_HPARAM_STRING;
  param.string_value =
      run->strings.emplace_back(default_value ? default_value : "").c_str();
  return kiln::declare(run, name, param, fixed);
}

void kiln_run_declare_choice(kiln_run *run, int64_t index, const char *value) {
  if (run->started)
    fatal(run, "internal error: choice '" + std::string(value) +
                   "' declared after kiln_run_start");
  kiln::hparam(run, index, KILN_HPARAM_STRING); // checks the index
  run->choices[index].push_back(run->strings.emplace_back(value).c_str());
}

void kiln_run_declare_range(kiln_run *run, int64_t index, double low,
                            double high) {
  if (run->started)
    fatal(run, "internal error: a range declared after kiln_run_start");
  kiln_hparam &param = run->params.at(size_t(index));
  if (param.type != KILN_HPARAM_INT && param.type != KILN_HPARAM_FLOAT)
    fatal(run, "internal error: a range for hyper-parameter '" +
                   std::string(param.name) + "', which is not a number");
  param.has_range = 1;
  param.low = low;
  param.high = high;
}

int32_t kiln_run_start(kiln_run *run) {
  for (size_t i = 0; i < run->params.size(); ++i) {
    run->params[i].choices = run->choices[i].data();
    run->params[i].num_choices = run->choices[i].size();
  }
  std::string description = "Experiment " + run->experiment + ".";
  int32_t status =
      kiln_cli_parse(run->argc, run->argv, description.c_str(),
                     run->params.data(), run->params.size(), &run->options);
  if (status < 0 && !(run->devices & (1u << run->options.device))) {
    std::fprintf(stderr,
                 "%s: error: --device %s: this program was built for %s "
                 "only\n",
                 run->argv[0],
                 run->options.device == KILN_DEVICE_CUDA ? "cuda" : "cpu",
                 run->devices & (1u << KILN_DEVICE_CUDA) ? "CUDA" : "the CPU");
    status = 2;
  }
  if (status >= 0) {
    delete run;
    return status;
  }
  run->started = true;
  kiln::openGPU(run);
  run->floatMode = kiln::flushDenormals();
  kiln_gemm_set_threads(run->options.threads);

  const char *dir = run->options.out_dir;
  if (kiln_write_config(dir, run->params.data(), run->params.size(),
                        &run->options, run->sourceHash.c_str()) != 0)
    fatal(run, kiln_last_error());
  bool resuming = run->options.resume && kiln::prepareResume(run);
  if (!resuming)
    kiln::removeEarlierOutputs(run, dir);
  run->metrics = kiln_metrics_open(dir);
  if (!run->metrics)
    fatal(run, kiln_last_error());
  run->events = kiln_tfevents_open(dir);
  if (!run->events)
    fatal(run, kiln_last_error());
  kiln::startCheckpoints(run, resuming);
  run->progress.start(isatty(STDERR_FILENO));
  return -1;
}

int64_t kiln_run_int(const kiln_run *run, int64_t index) {
  return kiln::hparam(run, index, KILN_HPARAM_INT).int_value;
}

double kiln_run_float(const kiln_run *run, int64_t index) {
  return kiln::hparam(run, index, KILN_HPARAM_FLOAT).float_value;
}

int32_t kiln_run_bool(const kiln_run *run, int64_t index) {
  return kiln::hparam(run, index, KILN_HPARAM_BOOL).bool_value;
}

const char *kiln_run_string(const kiln_run *run, int64_t index) {
  return kiln::hparam(run, index, KILN_HPARAM_STRING).string_value;
}

int32_t kiln_run_str_eq(const char *a, const char *b) {
  return std::strcmp(a, b) == 0;
}

void kiln_run_supports_device(kiln_run *run, int32_t device) {
  if (run->started || device < KILN_DEVICE_CPU || device > KILN_DEVICE_CUDA)
    fatal(run, "internal error: device " + std::to_string(device) +
                   " declared after kiln_run_start or unknown");
  run->devices |= 1u << device;
}

void kiln_run_default_seed(kiln_run *run, int64_t seed) {
  if (run->started)
    fatal(run, "internal error: the default seed is set after kiln_run_start");
  run->options.seed = uint64_t(seed);
}

int64_t kiln_run_seed(const kiln_run *run) {
  return int64_t(run->options.seed);
}

void kiln_run_check_index(kiln_run *run, int64_t index, int64_t size,
                          const char *where) {
  if (index < 0 || index >= size)
    kiln::fatal(run, std::string(where) + ": index " + std::to_string(index) +
                         " is out of range for a dimension of size " +
                         std::to_string(size));
}

int32_t kiln_run_finish(kiln_run *run) {
  kiln::finishCheckpoints(run);
  run->progress.clearLine();
  double seconds = run->progress.elapsedSeconds();
  int64_t steps = run->progress.steps();
  kiln::closeOutputs(run);
  std::fprintf(
      stderr, "%s: %lld steps in %.1f s (%.1f steps/s); outputs in %s\n",
      run->experiment.c_str(), (long long)steps, seconds,
      seconds > 0 ? double(steps) / seconds : 0.0, run->options.out_dir);
  // KILN_STATS=1: what the compiled code took from the caching allocator,
  // which a steady-state loop must not grow.
  if (const char *stats = std::getenv("KILN_STATS"); stats && *stats == '1') {
    kiln_alloc_stats alloc = kiln_alloc_get_stats();
    std::fprintf(stderr,
                 "%s: allocator: %llu system allocations, %llu live blocks, "
                 "%llu bytes cached\n",
                 run->experiment.c_str(),
                 (unsigned long long)alloc.system_allocations,
                 (unsigned long long)alloc.live_blocks,
                 (unsigned long long)alloc.cached_bytes);
  }
  std::fflush(stderr);
  kiln::restoreFloatMode(run->floatMode);
  delete run;
  return 0;
}

void kiln_run_init_param(kiln_run *run, const char *name, int32_t kind,
                         float *data, int64_t count, int64_t fan_in,
                         int64_t fan_out, double a, double b) {
  uint64_t seed = run->options.seed, stream = run->paramsInitialized++;
  auto n = size_t(count);
  bool fansNeeded = kind == KILN_INIT_GLOROT || kind == KILN_INIT_KAIMING;
  if (count < 0 || (fansNeeded && fan_in <= 0) ||
      (kind == KILN_INIT_GLOROT && fan_out <= 0))
    fatal(run, "internal error: parameter '" + std::string(name) + "' has " +
                   std::to_string(count) + " elements, fan-in " +
                   std::to_string(fan_in) + ", fan-out " +
                   std::to_string(fan_out));
  switch (kind) {
  case KILN_INIT_ZEROS:
    kiln_fill_f32(data, n, 0.0f);
    break;
  case KILN_INIT_ONES:
    kiln_fill_f32(data, n, 1.0f);
    break;
  case KILN_INIT_NORMAL:
    kiln_rng_normal_f32(seed, stream, 0, data, n, float(a), float(b));
    break;
  case KILN_INIT_UNIFORM:
    kiln_rng_uniform_f32(seed, stream, 0, data, n, float(a), float(b));
    break;
  case KILN_INIT_GLOROT:
    kiln_init_glorot_uniform_f32(seed, stream, data, n, fan_in, fan_out);
    break;
  case KILN_INIT_KAIMING:
    kiln_init_kaiming_normal_f32(seed, stream, data, n, fan_in);
    break;
  default:
    fatal(run, "internal error: parameter '" + std::string(name) +
                   "' has unknown initializer " + std::to_string(kind));
  }
  // Weights are [fan_in, fan_out] (x @ W); anything else is flat.
  std::vector<int64_t> shape = {count};
  if (fan_in > 0 && fan_out > 0 && fan_in * fan_out == count)
    shape = {fan_in, fan_out};
  kiln::recordTensor(run, {name, data, count * int64_t(sizeof(float)),
                           /*parameter=*/true, std::move(shape)});
}

void kiln_run_register_state(kiln_run *run, const char *name, void *data,
                             int64_t bytes) {
  if (bytes < 0)
    fatal(run, "internal error: state '" + std::string(name) + "' has " +
                   std::to_string(bytes) + " bytes");
  std::memset(data, 0, size_t(bytes));
  kiln::recordTensor(run, {name, data, bytes, /*parameter=*/false, {bytes}});
}

void kiln_run_tag_int(kiln_run *run, const char *key, int64_t value) {
  kiln_run::PendingTag &tag = kiln::pendingTag(run, key);
  tag.isString = false;
  tag.intValue = value;
}

void kiln_run_tag_str(kiln_run *run, const char *key, const char *value) {
  kiln_run::PendingTag &tag = kiln::pendingTag(run, key);
  tag.isString = true;
  tag.stringValue = value;
}

void kiln_run_hole_int(kiln_run *run, int64_t value) {
  run->holes.push_back(std::to_string(value));
}

void kiln_run_hole_str(kiln_run *run, const char *value) {
  run->holes.push_back(value);
}

void kiln_run_log_f32(kiln_run *run, const char *name, float value) {
  kiln::logValue(run, name, value, true);
}

void kiln_run_log_f64(kiln_run *run, const char *name, double value) {
  kiln::logValue(run, name, value, false);
}

void kiln_run_log_i64(kiln_run *run, const char *name, int64_t value) {
  kiln::logValue(run, name, double(value), false);
}

} // extern "C"
