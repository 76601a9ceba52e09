//===- checkpoint.cpp - Checkpoints and resuming of a running experiment --===//
//
// The loop and step functions of program.h and what they drive: saving at
// loop boundaries, resuming by replaying the program up to a checkpoint's
// position, retention, SIGINT and SIGTERM, and --init-from. The file format
// is checkpoint_file.cpp's; docs/checkpoints.md describes the behaviour.
//
//===----------------------------------------------------------------------===//

#include "run.h"

#include "kiln/cli.h"
#include "support.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace kiln {
namespace {

using checkpoint::LoopPosition;

/// The signal (SIGINT or SIGTERM) received and not yet acted on, else 0.
volatile std::sig_atomic_t pendingSignal = 0;

extern "C" void onSignal(int signal) {
  // A second signal: the user will not wait for the save.
  if (pendingSignal)
    _exit(128 + signal);
  pendingSignal = signal;
}

std::string checkpointDir(const kiln_run *run) {
  return (std::filesystem::path(run->options.out_dir) / "checkpoints").string();
}

std::string metricsPath(const kiln_run *run) {
  return (std::filesystem::path(run->options.out_dir) / "metrics.jsonl")
      .string();
}

void warn(kiln_run *run, const std::string &message) {
  run->progress.clearLine();
  std::fprintf(stderr, "warning: %s\n", message.c_str());
  std::fflush(stderr);
}

std::string positionText(const std::vector<LoopPosition> &position) {
  std::string text;
  for (const LoopPosition &level : position)
    text += (text.empty() ? "loop " : ", loop ") + std::to_string(level.loop) +
            " iteration " + std::to_string(level.iteration);
  return text;
}

void restoreSignalHandlers(kiln_run *run) {
  sigaction(SIGINT, &run->checkpoints.previousInt, nullptr);
  sigaction(SIGTERM, &run->checkpoints.previousTerm, nullptr);
  pendingSignal = 0;
}

void save(kiln_run *run, bool atExit) {
  syncFromGPU(run);
  Checkpoints &state = run->checkpoints;
  // The length recorded must survive a power loss, as the checkpoint will.
  if (kiln_metrics_sync(run->metrics) != 0)
    fatal(run, kiln_last_error());
  checkpoint::Contents contents;
  contents.experiment = run->experiment;
  contents.programHash = run->sourceHash;
  contents.config = cli::configJson(run->params.data(), run->params.size(),
                                    run->options, run->sourceHash.c_str());
  contents.seed = run->options.seed;
  contents.steps = run->progress.steps();
  contents.metricsSize = kiln_metrics_size(run->metrics);
  for (const Progress::Loop &loop : run->progress.loops())
    contents.position.push_back({loop.id, loop.index});
  if (atExit)
    contents.position.back().iteration = run->progress.loops().back().trips;
  contents.atExit = atExit;
  contents.label = state.label;
  for (const kiln_run::Tensor &tensor : run->tensors)
    contents.tensors.push_back(
        {tensor.name, tensor.data, uint64_t(tensor.bytes),
         tensor.parameter ? checkpoint::DType::F32 : checkpoint::DType::U8,
         tensor.shape, tensor.parameter});
  std::vector<std::vector<uint8_t>> partBytes;
  for (CheckpointPart *part : state.parts) {
    partBytes.push_back(part->serialize());
    checkpoint::Blob &blob = contents.parts.emplace_back();
    blob.name = part->checkpointName();
    blob.data = partBytes.back().data();
    blob.size = partBytes.back().size();
  }
  if (run->options.keep_best) {
    contents.trackedMetric = run->options.keep_best;
    contents.trackedValue = state.trackedValue;
  }

  std::string dir = checkpointDir(run);
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error)
    fatal(run, "cannot save checkpoint: " + dir + ": " + error.message());
  std::string path =
      (std::filesystem::path(dir) / checkpoint::fileName(contents.steps))
          .string();
  if (std::string failure = checkpoint::save(path, contents); !failure.empty())
    fatal(run, failure);
  state.requested = false;
  state.label.clear();

  checkpoint::Retention retention;
  retention.keepLast = run->options.keep_checkpoints;
  retention.keepEvery = run->options.keep_every;
  retention.bestMetric = run->options.keep_best ? run->options.keep_best : "";
  retention.bestIsMin = run->options.keep_best_min;
  if (std::string failure = checkpoint::retain(dir, retention);
      !failure.empty())
    warn(run, failure);
}

/// Carries out a pending save or signal at a loop boundary, unless inside a
/// loop that carries values, where it waits for the next boundary outside.
void atBoundary(kiln_run *run, bool atExit) {
  int signal = pendingSignal;
  if (!run->checkpoints.requested && !signal)
    return;
  for (const Progress::Loop &loop : run->progress.loops())
    if (std::find(run->checkpoints.carrying.begin(),
                  run->checkpoints.carrying.end(),
                  loop.id) != run->checkpoints.carrying.end())
      return;
  // A run still replaying has nothing newer than its checkpoint to save.
  bool live = run->checkpoints.live;
  if (live)
    save(run, atExit);
  if (!signal)
    return;
  run->progress.clearLine();
  std::fprintf(stderr, "%s: interrupted by %s at step %lld; %s\n",
               run->experiment.c_str(), signal == SIGINT ? "SIGINT" : "SIGTERM",
               (long long)run->progress.steps(),
               live ? "checkpoint saved, continue with --resume"
                    : "its checkpoint stands, continue with --resume");
  std::fflush(stderr);
  closeOutputs(run);
  restoreSignalHandlers(run);
  std::exit(128 + signal);
}

const std::vector<LoopPosition> &savedPosition(const kiln_run *run) {
  return run->checkpoints.resumeFrom->contents().position;
}

/// The `depth` outermost loops entered are at their saved iterations.
bool onSavedPath(const kiln_run *run, size_t depth) {
  const std::vector<Progress::Loop> &loops = run->progress.loops();
  const std::vector<LoopPosition> &saved = savedPosition(run);
  for (size_t i = 0; i < depth; ++i)
    if (loops[i].id != saved[i].loop || loops[i].index != saved[i].iteration)
      return false;
  return true;
}

bool atSavedPosition(const kiln_run *run) {
  size_t depth = run->progress.loops().size();
  return depth == savedPosition(run).size() && onSavedPath(run, depth);
}

/// Where a loop entered while replaying starts: its saved iteration on the
/// saved path, else its end (it finished before the save).
int64_t replayStart(kiln_run *run, int64_t loop, int64_t trips) {
  const std::vector<LoopPosition> &saved = savedPosition(run);
  size_t depth = run->progress.loops().size();
  if (depth >= saved.size() || saved[depth].loop != loop ||
      !onSavedPath(run, depth))
    return trips;
  int64_t iteration = saved[depth].iteration;
  if (iteration > trips)
    fatal(run, run->checkpoints.resumeFrom->path() +
                   " was saved at iteration " + std::to_string(iteration) +
                   " of loop " + std::to_string(loop) + ", which has only " +
                   std::to_string(trips) + " iterations in this run");
  return iteration;
}

/// The replay has reached the checkpoint's position: the run takes the
/// checkpoint's state and goes live.
void restore(kiln_run *run) {
  takeFromGPU(run);
  Checkpoints &state = run->checkpoints;
  const checkpoint::File &file = *state.resumeFrom;
  const checkpoint::Contents &saved = file.contents();
  for (const kiln_run::Tensor &tensor : run->tensors) {
    const checkpoint::Blob *blob = file.tensor(tensor.name);
    if (!blob)
      fatal(run, file.path() + " has no tensor '" + tensor.name +
                     "', which this run registers");
    if (blob->size != uint64_t(tensor.bytes))
      fatal(run, file.path() + ": tensor '" + tensor.name + "' has " +
                     std::to_string(blob->size) + " bytes, but " +
                     std::to_string(tensor.bytes) + " in this run");
    std::memcpy(tensor.data, blob->data, blob->size);
  }
  // Names are unique on both sides: equal counts mean equal sets.
  if (saved.tensors.size() != run->tensors.size())
    for (const checkpoint::Blob &blob : saved.tensors)
      if (std::none_of(run->tensors.begin(), run->tensors.end(),
                       [&](const kiln_run::Tensor &tensor) {
                         return tensor.name == blob.name;
                       }))
        fatal(run, file.path() + " has tensor '" + blob.name +
                       "', which this run does not register");
  for (CheckpointPart *part : state.parts) {
    std::string name = part->checkpointName(), error;
    const checkpoint::Blob *blob = file.part(name);
    if (!blob)
      fatal(run, file.path() + " has no part '" + name +
                     "', which this run registers");
    if (!part->restore(static_cast<const uint8_t *>(blob->data), blob->size,
                       error))
      fatal(run, file.path() + ": cannot restore '" + name + "': " + error);
  }
  if (saved.parts.size() != state.parts.size())
    fatal(run, file.path() + " has " + std::to_string(saved.parts.size()) +
                   " parts (replay buffers), but this run registers " +
                   std::to_string(state.parts.size()));
  run->progress.setSteps(saved.steps);
  state.trackedValue = saved.trackedValue;
  state.live = true;
  state.resumeFrom.reset();
}

/// --init-from: every parameter from the safetensors file, checked by name,
/// type, element count and (for weights, whose shape the run knows) shape.
void initFrom(kiln_run *run) {
  takeFromGPU(run);
  run->checkpoints.initPending = false;
  std::string path = run->options.init_from;
  std::vector<checkpoint::NamedTensor> loaded;
  if (std::string error = checkpoint::readSafetensors(path, loaded);
      !error.empty())
    fatal(run, "--init-from: " + error);
  size_t parameters = 0;
  for (const kiln_run::Tensor &tensor : run->tensors)
    parameters += tensor.parameter;
  for (const checkpoint::NamedTensor &source : loaded) {
    auto target =
        std::find_if(run->tensors.begin(), run->tensors.end(),
                     [&](const kiln_run::Tensor &tensor) {
                       return tensor.parameter && tensor.name == source.name;
                     });
    std::string what =
        "--init-from: " + path + ": tensor '" + source.name + "'";
    if (target == run->tensors.end())
      fatal(run, what + " is not a parameter of this program");
    if (source.dtype != "F32")
      fatal(run, what + " is " + source.dtype + ", not F32");
    if (source.bytes.size() != uint64_t(target->bytes))
      fatal(run, what + " has " + std::to_string(source.bytes.size() / 4) +
                     " elements; the parameter has " +
                     std::to_string(target->bytes / 4));
    if (target->shape.size() > 1 && source.shape != target->shape)
      fatal(run, what + " has another shape than the parameter");
    std::memcpy(target->data, source.bytes.data(), source.bytes.size());
  }
  if (loaded.size() != parameters)
    fatal(run, "--init-from: " + path + " has " +
                   std::to_string(loaded.size()) +
                   " tensors; the program has " + std::to_string(parameters) +
                   " parameters");
}

} // namespace

bool prepareResume(kiln_run *run) {
  std::string dir = checkpointDir(run), metrics = metricsPath(run);
  std::error_code error;
  uint64_t metricsSize = std::filesystem::exists(metrics, error)
                             ? std::filesystem::file_size(metrics, error)
                             : 0;
  std::vector<checkpoint::Entry> entries = checkpoint::list(dir);
  for (size_t i = 0; i < entries.size(); ++i) {
    auto file = std::make_unique<checkpoint::File>();
    std::string failure = file->open(entries[i].path);
    if (failure.empty() && file->contents().metricsSize > metricsSize)
      failure = entries[i].path + ": metrics.jsonl has " +
                std::to_string(metricsSize) + " bytes, fewer than the " +
                std::to_string(file->contents().metricsSize) +
                " it had at this checkpoint";
    if (!failure.empty()) {
      warn(run, "skipping checkpoint " + failure);
      continue;
    }
    const checkpoint::Contents &saved = file->contents();
    if (saved.programHash != run->sourceHash)
      fatal(run, entries[i].path + " was saved by another program (source " +
                     "hash " + saved.programHash + "; this program's is " +
                     run->sourceHash +
                     "): a run resumes only with the program and shapes "
                     "that saved it; run without --resume to start afresh");
    if (saved.seed != run->options.seed)
      fatal(run, entries[i].path + " was saved with --seed " +
                     std::to_string(saved.seed) + ", this run has --seed " +
                     std::to_string(run->options.seed) +
                     ": resume with --seed " + std::to_string(saved.seed));
    // The lines after the checkpoint are logged again as the run redoes
    // their work; the newer checkpoints that failed belong to that future.
    if (std::filesystem::exists(metrics, error) &&
        ::truncate(metrics.c_str(), off_t(saved.metricsSize)) != 0)
      fatal(run, "cannot cut metrics.jsonl back to its length at the "
                 "checkpoint: " +
                     systemError(metrics));
    for (size_t newer = 0; newer < i; ++newer)
      std::filesystem::remove(entries[newer].path, error);
    run->progress.clearLine();
    std::fprintf(stderr, "%s: resuming from %s (step %lld, %s)\n",
                 run->experiment.c_str(), entries[i].path.c_str(),
                 (long long)saved.steps, positionText(saved.position).c_str());
    run->checkpoints.resumeFrom = std::move(file);
    run->checkpoints.live = false;
    return true;
  }
  warn(run, std::string("--resume: ") +
                (entries.empty() ? "no checkpoint in " + dir
                                 : "no checkpoint in " + dir + " verifies") +
                "; starting afresh");
  return false;
}

void startCheckpoints(kiln_run *run, bool resuming) {
  std::string dir = checkpointDir(run);
  // A fresh run's checkpoints must not mix with an earlier run's.
  if (!resuming)
    for (const checkpoint::Entry &entry : checkpoint::list(dir)) {
      std::error_code error;
      if (!std::filesystem::remove(entry.path, error) && error)
        fatal(run, dir + ": cannot remove the checkpoints of an earlier run: " +
                       error.message());
    }
  checkpoint::removeTemporaries(dir);
  run->checkpoints.initPending = run->options.init_from && !resuming;

  pendingSignal = 0;
  struct sigaction action {};
  action.sa_handler = onSignal;
  action.sa_flags = SA_RESTART;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &run->checkpoints.previousInt);
  sigaction(SIGTERM, &action, &run->checkpoints.previousTerm);
}

void finishCheckpoints(kiln_run *run) {
  restoreSignalHandlers(run);
  if (!run->checkpoints.live)
    fatal(run, "the program ended before reaching the position of " +
                   run->checkpoints.resumeFrom->path() + " (" +
                   positionText(savedPosition(run)) +
                   "): its loops ran otherwise than in the run that saved it");
}

void noteLogged(kiln_run *run, const char *name, double value) {
  if (run->options.keep_best && std::strcmp(name, run->options.keep_best) == 0)
    run->checkpoints.trackedValue = value;
}

void addCheckpointPart(kiln_run *run, CheckpointPart *part) {
  run->checkpoints.parts.push_back(part);
}

bool restoreEarly(kiln_run *run, CheckpointPart &part) {
  Checkpoints &state = run->checkpoints;
  if (state.live || !state.resumeFrom)
    return false;
  const checkpoint::File &file = *state.resumeFrom;
  std::string name = part.checkpointName(), error;
  const checkpoint::Blob *blob = file.part(name);
  if (!blob)
    fatal(run, file.path() + " has no part '" + name +
                   "', which this run registers");
  if (!part.restore(static_cast<const uint8_t *>(blob->data), blob->size,
                    error))
    fatal(run, file.path() + ": cannot restore '" + name + "': " + error);
  return true;
}

} // namespace kiln

extern "C" {

void kiln_run_loop_carries(kiln_run *run, int64_t loop) {
  std::vector<int64_t> &carrying = run->checkpoints.carrying;
  if (std::find(carrying.begin(), carrying.end(), loop) == carrying.end())
    carrying.push_back(loop);
}

int64_t kiln_run_loop_enter(kiln_run *run, int64_t loop, int64_t trips) {
  // Every parameter is registered before the first loop.
  if (run->checkpoints.initPending)
    kiln::initFrom(run);
  int64_t first =
      run->checkpoints.live ? 0 : kiln::replayStart(run, loop, trips);
  run->progress.enterLoop(loop, trips, first);
  return first;
}

void kiln_run_loop_iter(kiln_run *run, int64_t loop, int64_t index) {
  if (std::string error = run->progress.iterateLoop(loop, index);
      !error.empty())
    kiln::fatal(run, "internal error: " + error);
  if (!run->checkpoints.live && kiln::atSavedPosition(run))
    kiln::restore(run);
  kiln::atBoundary(run, /*atExit=*/false);
}

void kiln_run_loop_exit(kiln_run *run, int64_t loop) {
  const std::vector<kiln::Progress::Loop> &loops = run->progress.loops();
  if (loops.empty() || loops.back().id != loop)
    kiln::fatal(run, "internal error: exit from loop " + std::to_string(loop) +
                         ", which is not the innermost loop entered");
  if (!run->checkpoints.live && kiln::atSavedPosition(run))
    kiln::restore(run);
  kiln::atBoundary(run, /*atExit=*/true);
  run->progress.exitLoop();
}

int32_t kiln_run_live(const kiln_run *run) { return run->checkpoints.live; }

void kiln_run_checkpoint(kiln_run *run, const char *label) {
  if (!run->checkpoints.live)
    return;
  run->checkpoints.requested = true;
  run->checkpoints.label = label ? label : "";
}

void kiln_run_step_done(kiln_run *run, const float *loss) {
  if (!run->checkpoints.live)
    kiln::fatal(run, "internal error: a train step ran while the run was "
                     "replaying up to its checkpoint's position");
  // The loss is read for the progress line only: from the GPU, only when
  // a line is due (the program does not sync it every step).
  if (loss && run->progress.reportDue())
    kiln_run_host_use(run, const_cast<float *>(loss));
  run->progress.stepDone(loss);
  int64_t every = run->options.checkpoint_every;
  if (every > 0 && run->progress.steps() % every == 0)
    run->checkpoints.requested = true;
}

} // extern "C"
