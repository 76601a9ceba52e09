//===- replay.h - Replay buffers: storage, insertion and sampling ---------===//
//
// Internal to the runtime: the core behind kiln_replay, usable without a run.
// A buffer preallocates `capacity` rows of typed fields (uint8 images stay
// uint8), tags each row with a task, decides where an offered row goes
// (insertion policy) and draws rows (sampler), all randomness coming from
// one Philox stream whose counter is part of the buffer's state, so that a
// buffer serialized and restored draws exactly what the original would have.
//
// Definitions:
//  - A rehearsal block is one sample() call. blocks() counts the calls so
//    far; rows added after k calls belong to block k.
//  - delta(j) = blocks() - lastSeen(j) + 1 >= 1, where lastSeen(j) is the
//    block in which task j last had rows added or was drawn. A task drawn by
//    a sample() call is marked seen in that call's block after all its draws,
//    so the draws of one call all use the same deltas.
//  - Recency sampling draws task j with probability proportional to
//    delta(j)^-alpha (power law) or exp(-alpha delta(j)) (exponential), among
//    the tasks that hold rows, then one of its rows uniformly; alpha = 0 is
//    uniform over tasks.
//  - Prioritized sampling draws row i with P(i) = p_i^alpha / sum_k p_k^alpha
//    (a sum tree); its importance weight is (N P(i))^-beta divided by the
//    largest weight of any row in the buffer, N = size(). A new row gets the
//    largest priority given so far (1 before any).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_REPLAY_H
#define KILN_RUNTIME_REPLAY_H

#include "kiln/runtime.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace kiln::replay {

/// How a field's elements are stored.
enum class Element { U8, I32, F32 };

size_t elementBytes(Element element);

struct FieldSpec {
  std::string name;
  Element element;
  int64_t size; ///< elements per row
  /// U8 only: the f32 value each byte reads as (byte / 255 for images).
  std::array<float, 256> byteValues{};
};

enum class Insertion {
  Append,    ///< a FIFO ring: once full, the oldest row goes
  Reservoir, ///< Vitter's algorithm R over every row offered
  /// Balanced reservoir over the classes of the int32 field `classField`
  /// (Chrysakis & Moens, "Online continual learning from imbalanced data",
  /// 2020): while the buffer has room every row is kept; once full, a row of
  /// a class that holds fewer rows than the largest replaces a random row of
  /// the largest (the first such class in order of appearance), and a row of
  /// a largest class replaces a random row of its own class with
  /// probability held / offered of that class, else is dropped. Classes end
  /// up holding capacity / classes rows each (all of their rows when fewer).
  ClassBalanced,
  /// The same balance over tasks instead of classes, each task keeping a
  /// uniform sample of its rows; with `taskQuota` > 0 a task never holds more
  /// than that many rows (capacity = quota x tasks gives fixed slots).
  TaskEpisodic,
};

enum class Sampling { Uniform, Recency, Prioritized };
enum class Decay { PowerLaw, Exponential };

struct Options {
  int64_t capacity = 0;
  Insertion insertion = Insertion::Append;
  Sampling sampling = Sampling::Uniform;
  Decay decay = Decay::PowerLaw; ///< Recency only
  std::string classField = "y";  ///< ClassBalanced only
  int64_t taskQuota = 0;         ///< TaskEpisodic only; 0: capacity / tasks
  uint64_t seed = 0, stream = 0; ///< the Philox key and stream of all draws
};

/// A task or class, and how many rows it was ever offered.
struct Group {
  int64_t id = 0;
  int64_t offered = 0;
  int64_t lastSeen = 0; ///< tasks: the block trained or drawn last
};

/// Rows by task or by class, groups in order of first appearance. `order`
/// lists the slots group by group, unused slots last, so that a group's rows
/// are indexable without a vector per group: moving a slot between groups
/// i < j swaps it across the j - i boundaries between them, and nothing
/// allocates once the groups are known.
class Grouping {
public:
  void resize(int64_t slots);
  /// The group with `id`, added if new.
  int32_t find(int64_t id);
  /// Moves `slot` (from its group, or from the unused slots) to `group`, as
  /// the group's last row.
  void assign(int64_t slot, int32_t group);
  /// The first of the groups holding the most rows.
  int32_t largest() const;

  const std::vector<Group> &groups() const { return groups_; }
  Group &operator[](int32_t group) { return groups_[group]; }
  int32_t indexOf(int64_t id) const { return index_.at(id); }
  bool has(int64_t id) const { return index_.count(id) != 0; }
  int32_t groupOf(int64_t slot) const { return slotGroup_[slot]; }
  int64_t rows(int32_t group) const {
    return begin_[group + 1] - begin_[group];
  }
  /// Row i of `group` (i < rows(group)).
  int64_t slot(int32_t group, int64_t i) const {
    return order_[begin_[group] + i];
  }

private:
  void place(int64_t slot, int64_t position);

  std::vector<Group> groups_;
  std::map<int64_t, int32_t> index_; ///< id -> position in groups_
  std::vector<int64_t> order_;
  /// Group g holds order_[begin_[g], begin_[g + 1]); the last range is the
  /// unused slots.
  std::vector<int64_t> begin_;
  std::vector<int32_t> slotGroup_; ///< -1: unused
  std::vector<int64_t> slotPosition_;
};

/// A complete binary tree over the rows' priorities, raised to alpha: sums
/// for drawing a row in O(log n), minima for the largest importance weight.
class PriorityTree {
public:
  void resize(int64_t leaves);
  void set(int64_t leaf, double value); ///< value >= 0; +inf min if unused
  double total() const { return sums_[1]; }
  double minimum() const { return mins_[1]; }
  double leaf(int64_t index) const { return sums_[leaves_ + index]; }
  /// The leaf where the running sum passes `mass` in [0, total()).
  int64_t find(double mass) const;

private:
  int64_t leaves_ = 0; ///< a power of two
  std::vector<double> sums_, mins_;
};

class ReplayBuffer {
public:
  explicit ReplayBuffer(Options options);

  /// Allocates the storage, once, before the first add(). Returns an error
  /// when ClassBalanced's class field is not one int32 per row.
  std::string defineFields(std::vector<FieldSpec> fields);
  const std::vector<FieldSpec> &fields() const { return fields_; }
  bool hasFields() const { return !fields_.empty(); }

  /// Offers one row of task `task`; `values[f]` points at its elements of
  /// field f. The row may be dropped (reservoir policies).
  void add(int64_t task, const void *const *values);

  /// Draws `count` rows (slots in [0, size())) with replacement into
  /// `slots`, reusing its memory; requires size() > 0 and count > 0.
  /// `alpha` is the recency decay or the priority exponent (else unused).
  void sample(int64_t count, double alpha, std::vector<int64_t> &slots);

  /// Prioritized only: the importance weights of `slots` (see above).
  void importanceWeights(const int64_t *slots, int64_t count, double beta,
                         float *out) const;
  /// Prioritized only: new priorities, each finite and > 0, of `slots`.
  void updatePriorities(const int64_t *slots, const float *priorities,
                        int64_t count);
  /// The probability that one prioritized draw picks `slot`.
  double probability(int64_t slot) const;

  int64_t capacity() const { return options_.capacity; }
  int64_t size() const { return size_; }
  int64_t offered() const { return offered_; }
  int64_t blocks() const { return blocks_; }
  const Options &options() const { return options_; }
  /// Tasks and classes in order of first appearance (classes only for
  /// ClassBalanced).
  const std::vector<Group> &tasks() const { return tasks_.groups(); }
  const std::vector<Group> &classes() const { return classes_.groups(); }
  /// Rows held of task `task`.
  int64_t taskRows(int64_t task) const {
    return tasks_.rows(tasks_.indexOf(task));
  }
  int64_t taskOf(int64_t slot) const {
    return tasks_.groups()[tasks_.groupOf(slot)].id;
  }
  /// delta(task) as defined above; the task must have been added.
  int64_t delta(int64_t task) const;
  /// Field `field`'s elements of the row in `slot` (elementBytes wide each).
  const uint8_t *row(size_t field, int64_t slot) const {
    return storage_[field].data() + slot * rowBytes_[field];
  }
  /// Bytes of storage for the rows (all fields, full capacity).
  size_t storageBytes() const;

  /// The contents (used rows only) and all policy and sampler state,
  /// self-describing: restore() into a buffer with the same options
  /// (and fields, if defined) reproduces every later draw.
  std::vector<uint8_t> serialize() const;
  bool restore(const uint8_t *bytes, size_t size, std::string &error);

private:
  /// Where an offered row goes: a slot, or -1 to drop it.
  int64_t admit(int32_t task, const void *const *values);
  int64_t admitBalanced(Grouping &grouping, int32_t group, int64_t quota);
  void rebuildTree(double alpha);

  kiln_philox_block nextBlock() {
    return kiln_philox4x32(options_.seed, options_.stream, counter_++);
  }
  static uint64_t bits64(uint32_t low, uint32_t high) {
    return uint64_t(high) << 32 | low;
  }
  /// Uniform in [0, n): a 64-bit draw scaled, with a bias below 2^-32 for the
  /// sizes of buffers.
  static int64_t scaleIndex(uint64_t bits, int64_t n) {
    return int64_t((unsigned __int128)bits * uint64_t(n) >> 64);
  }
  /// Uniform in [0, 1), a multiple of 2^-53.
  static double scaleUnit(uint64_t bits) {
    return double(bits >> 11) * 0x1p-53;
  }

  Options options_;
  std::vector<FieldSpec> fields_;
  std::vector<std::vector<uint8_t>> storage_; ///< per field
  std::vector<size_t> rowBytes_;
  size_t classField_ = 0;

  int64_t size_ = 0, offered_ = 0, blocks_ = 0;
  uint64_t counter_ = 0; ///< the next Philox counter

  Grouping tasks_, classes_;

  std::vector<float> priorities_; ///< per slot, Prioritized only
  float maxPriority_ = 1.0f;
  PriorityTree tree_;
  double treeAlpha_ = 1.0;

  std::vector<double> cumulativeTaskWeights_; ///< Recency scratch
};

} // namespace kiln::replay

#endif // KILN_RUNTIME_REPLAY_H
