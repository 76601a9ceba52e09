//===- replay.cpp - Replay buffers: storage, insertion and sampling -------===//
//
// Slots [0, size()) hold rows: every policy fills the next free slot while
// there is one and afterwards only overwrites, so the used rows are always a
// prefix (which is all that serialize() writes).
//
//===----------------------------------------------------------------------===//

#include "replay.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace kiln::replay {

size_t elementBytes(Element element) { return element == Element::U8 ? 1 : 4; }

//===----------------------------------------------------------------------===//
// Grouping
//===----------------------------------------------------------------------===//

void Grouping::resize(int64_t slots) {
  order_.resize(size_t(slots));
  for (int64_t slot = 0; slot < slots; ++slot)
    order_[slot] = slot;
  begin_ = {0, slots};
  slotGroup_.assign(size_t(slots), -1);
  slotPosition_ = order_;
}

int32_t Grouping::find(int64_t id) {
  auto [it, inserted] = index_.try_emplace(id, int32_t(groups_.size()));
  if (inserted) {
    groups_.push_back({id, 0, 0});
    // An empty range before the unused slots.
    int64_t unusedBegin = begin_[begin_.size() - 2];
    begin_.insert(begin_.end() - 1, unusedBegin);
  }
  return it->second;
}

void Grouping::place(int64_t slot, int64_t position) {
  order_[position] = slot;
  slotPosition_[slot] = position;
}

void Grouping::assign(int64_t slot, int32_t group) {
  // The unused slots are range groups_.size().
  int32_t from =
      slotGroup_[slot] < 0 ? int32_t(groups_.size()) : slotGroup_[slot];
  if (from == group)
    return;
  auto swapTo = [&](int64_t position) {
    int64_t other = order_[position];
    place(other, slotPosition_[slot]);
    place(slot, position);
  };
  if (from > group) {
    // To the front of its range, then across each boundary below it: the
    // range below takes it as its last row and gives up its first.
    swapTo(begin_[from]);
    for (int32_t range = from; range > group; --range) {
      ++begin_[range];
      if (range - 1 > group)
        swapTo(begin_[range - 1]);
    }
  } else if (from < group) {
    swapTo(begin_[from + 1] - 1);
    for (int32_t range = from; range < group; ++range) {
      --begin_[range + 1];
      if (range + 1 < group)
        swapTo(begin_[range + 2] - 1);
    }
  }
  slotGroup_[slot] = group;
}

int32_t Grouping::largest() const {
  int32_t best = 0;
  for (int32_t g = 1; g < int32_t(groups_.size()); ++g)
    if (rows(g) > rows(best))
      best = g;
  return best;
}

//===----------------------------------------------------------------------===//
// PriorityTree
//===----------------------------------------------------------------------===//

void PriorityTree::resize(int64_t leaves) {
  leaves_ = 1;
  while (leaves_ < leaves)
    leaves_ *= 2;
  sums_.assign(size_t(2 * leaves_), 0.0);
  mins_.assign(size_t(2 * leaves_), std::numeric_limits<double>::infinity());
}

void PriorityTree::set(int64_t leaf, double value) {
  int64_t node = leaves_ + leaf;
  sums_[node] = mins_[node] = value;
  // Each parent from its two children (not by adding a difference), so that
  // a tree updated in place equals one rebuilt from its leaves.
  for (node /= 2; node >= 1; node /= 2) {
    sums_[node] = sums_[2 * node] + sums_[2 * node + 1];
    mins_[node] = std::min(mins_[2 * node], mins_[2 * node + 1]);
  }
}

int64_t PriorityTree::find(double mass) const {
  int64_t node = 1;
  while (node < leaves_) {
    double left = sums_[2 * node];
    // Rounding may leave `mass` at or past the total: never step into an
    // empty subtree.
    if (mass < left || sums_[2 * node + 1] <= 0) {
      node = 2 * node;
    } else {
      mass -= left;
      node = 2 * node + 1;
    }
  }
  return node - leaves_;
}

//===----------------------------------------------------------------------===//
// ReplayBuffer
//===----------------------------------------------------------------------===//

ReplayBuffer::ReplayBuffer(Options options) : options_(std::move(options)) {
  tasks_.resize(options_.capacity);
  if (options_.insertion == Insertion::ClassBalanced)
    classes_.resize(options_.capacity);
  if (options_.sampling == Sampling::Prioritized) {
    priorities_.assign(size_t(options_.capacity), 0.0f);
    tree_.resize(options_.capacity);
  }
}

std::string ReplayBuffer::defineFields(std::vector<FieldSpec> fields) {
  if (options_.insertion == Insertion::ClassBalanced) {
    auto it = std::find_if(fields.begin(), fields.end(), [&](auto &field) {
      return field.name == options_.classField;
    });
    if (it == fields.end() || it->element != Element::I32 || it->size != 1)
      return "class-balanced insertion needs field '" + options_.classField +
             "' to hold one int32 per row";
    classField_ = size_t(it - fields.begin());
  }
  fields_ = std::move(fields);
  storage_.clear();
  rowBytes_.clear();
  for (const FieldSpec &field : fields_) {
    rowBytes_.push_back(size_t(field.size) * elementBytes(field.element));
    storage_.emplace_back(rowBytes_.back() * size_t(options_.capacity));
  }
  return "";
}

size_t ReplayBuffer::storageBytes() const {
  size_t bytes = 0;
  for (const std::vector<uint8_t> &values : storage_)
    bytes += values.size();
  return bytes;
}

int64_t ReplayBuffer::admitBalanced(Grouping &grouping, int32_t group,
                                    int64_t quota) {
  int64_t held = grouping.rows(group);
  bool full = size_ == options_.capacity;
  int32_t largest = full ? grouping.largest() : -1;
  // A group at its quota, or (once the buffer is full) one of the largest,
  // only exchanges rows among its own.
  bool atLimit =
      (quota > 0 && held >= quota) || (full && grouping.rows(largest) <= held);
  if (atLimit) {
    // Reservoir within the group: keep the new row with probability
    // held / offered, in place of a random row of the group.
    kiln_philox_block block = nextBlock();
    int64_t j = scaleIndex(bits64(block.words[0], block.words[1]),
                           grouping[group].offered);
    return j < held ? grouping.slot(group, j) : -1;
  }
  if (!full)
    return size_;
  // Evict a random row of the largest group.
  kiln_philox_block block = nextBlock();
  return grouping.slot(largest,
                       scaleIndex(bits64(block.words[0], block.words[1]),
                                  grouping.rows(largest)));
}

int64_t ReplayBuffer::admit(int32_t task, const void *const *values) {
  int64_t capacity = options_.capacity, seen = offered_++;
  switch (options_.insertion) {
  case Insertion::Append:
    return seen % capacity;
  case Insertion::Reservoir: {
    if (seen < capacity)
      return seen;
    kiln_philox_block block = nextBlock();
    int64_t j = scaleIndex(bits64(block.words[0], block.words[1]), seen + 1);
    return j < capacity ? j : -1;
  }
  case Insertion::ClassBalanced: {
    int32_t label;
    std::memcpy(&label, values[classField_], sizeof label);
    int32_t group = classes_.find(label);
    ++classes_[group].offered;
    return admitBalanced(classes_, group, 0);
  }
  case Insertion::TaskEpisodic:
    return admitBalanced(tasks_, task, options_.taskQuota);
  }
  return -1;
}

void ReplayBuffer::add(int64_t task, const void *const *values) {
  int32_t group = tasks_.find(task);
  ++tasks_[group].offered;
  tasks_[group].lastSeen = blocks_;
  int64_t slot = admit(group, values);
  if (slot < 0)
    return;
  if (slot == size_)
    ++size_;
  // memmove: rows sampled from this buffer may be added back to it.
  for (size_t f = 0; f < fields_.size(); ++f)
    std::memmove(storage_[f].data() + size_t(slot) * rowBytes_[f], values[f],
                 rowBytes_[f]);
  tasks_.assign(slot, group);
  if (options_.insertion == Insertion::ClassBalanced) {
    int32_t label;
    std::memcpy(&label, values[classField_], sizeof label);
    classes_.assign(slot, classes_.find(label));
  }
  if (options_.sampling == Sampling::Prioritized) {
    priorities_[slot] = maxPriority_;
    tree_.set(slot, std::pow(double(maxPriority_), treeAlpha_));
  }
}

int64_t ReplayBuffer::delta(int64_t task) const {
  return blocks_ - tasks_.groups()[tasks_.indexOf(task)].lastSeen + 1;
}

void ReplayBuffer::rebuildTree(double alpha) {
  treeAlpha_ = alpha;
  tree_.resize(options_.capacity);
  for (int64_t slot = 0; slot < size_; ++slot)
    tree_.set(slot, std::pow(double(priorities_[slot]), alpha));
}

void ReplayBuffer::sample(int64_t count, double alpha,
                          std::vector<int64_t> &slots) {
  slots.resize(size_t(count));
  switch (options_.sampling) {
  case Sampling::Uniform:
    for (int64_t &slot : slots) {
      kiln_philox_block block = nextBlock();
      slot = scaleIndex(bits64(block.words[0], block.words[1]), size_);
    }
    break;
  case Sampling::Recency: {
    const std::vector<Group> &groups = tasks_.groups();
    // Weights relative to the most recent task's, which cannot underflow.
    int64_t minDelta = std::numeric_limits<int64_t>::max();
    for (size_t j = 0; j < groups.size(); ++j)
      if (tasks_.rows(int32_t(j)) > 0)
        minDelta = std::min(minDelta, blocks_ - groups[j].lastSeen + 1);
    std::vector<double> &cumulative = cumulativeTaskWeights_;
    cumulative.resize(groups.size());
    double total = 0;
    size_t lastWithRows = 0;
    for (size_t j = 0; j < groups.size(); ++j) {
      if (tasks_.rows(int32_t(j)) > 0) {
        lastWithRows = j;
        auto delta = double(blocks_ - groups[j].lastSeen + 1);
        total += options_.decay == Decay::PowerLaw
                     ? std::pow(delta / double(minDelta), -alpha)
                     : std::exp(-alpha * (delta - double(minDelta)));
      }
      cumulative[j] = total;
    }
    for (int64_t &slot : slots) {
      kiln_philox_block block = nextBlock();
      double mass = scaleUnit(bits64(block.words[0], block.words[1])) * total;
      auto j =
          size_t(std::upper_bound(cumulative.begin(), cumulative.end(), mass) -
                 cumulative.begin());
      // Rounding may put `mass` at the total.
      if (j == groups.size())
        j = lastWithRows;
      auto task = int32_t(j);
      slot =
          tasks_.slot(task, scaleIndex(bits64(block.words[2], block.words[3]),
                                       tasks_.rows(task)));
    }
    break;
  }
  case Sampling::Prioritized:
    if (alpha != treeAlpha_)
      rebuildTree(alpha);
    for (int64_t &slot : slots) {
      kiln_philox_block block = nextBlock();
      slot = tree_.find(scaleUnit(bits64(block.words[0], block.words[1])) *
                        tree_.total());
    }
    break;
  }
  // The drawn tasks were rehearsed in this block.
  for (int64_t slot : slots)
    tasks_[tasks_.groupOf(slot)].lastSeen = blocks_;
  ++blocks_;
}

double ReplayBuffer::probability(int64_t slot) const {
  return tree_.leaf(slot) / tree_.total();
}

void ReplayBuffer::importanceWeights(const int64_t *slots, int64_t count,
                                     double beta, float *out) const {
  // (N P(i))^-beta / max_k (N P(k))^-beta = (P(i) / min_k P(k))^-beta.
  double minimum = tree_.minimum();
  for (int64_t i = 0; i < count; ++i)
    out[i] = float(std::pow(tree_.leaf(slots[i]) / minimum, -beta));
}

void ReplayBuffer::updatePriorities(const int64_t *slots,
                                    const float *priorities, int64_t count) {
  for (int64_t i = 0; i < count; ++i) {
    priorities_[slots[i]] = priorities[i];
    maxPriority_ = std::max(maxPriority_, priorities[i]);
    tree_.set(slots[i], std::pow(double(priorities[i]), treeAlpha_));
  }
}

//===----------------------------------------------------------------------===//
// Serialization
//===----------------------------------------------------------------------===//

namespace {

constexpr char kMagic[4] = {'K', 'R', 'P', 'L'};
constexpr uint32_t kVersion = 1;

/// Appends values as their bytes (the runtime's hosts are little-endian).
class Writer {
public:
  explicit Writer(std::vector<uint8_t> &out) : out_(out) {}
  void bytes(const void *data, size_t size) {
    const auto *begin = static_cast<const uint8_t *>(data);
    out_.insert(out_.end(), begin, begin + size);
  }
  template <typename T> void value(T v) { bytes(&v, sizeof v); }
  void string(const std::string &s) {
    value(uint64_t(s.size()));
    bytes(s.data(), s.size());
  }

private:
  std::vector<uint8_t> &out_;
};

/// Reads what Writer wrote; a read past the end fails and sets `ok` false.
class Reader {
public:
  Reader(const uint8_t *data, size_t size) : data_(data), left_(size) {}
  bool bytes(void *out, size_t size) {
    if (!ok || size > left_)
      return ok = false;
    std::memcpy(out, data_, size);
    data_ += size;
    left_ -= size;
    return true;
  }
  template <typename T> T value() {
    T v{};
    bytes(&v, sizeof v);
    return v;
  }
  std::string string() {
    auto size = value<uint64_t>();
    if (size > left_)
      ok = false;
    std::string s(ok ? size_t(size) : 0, '\0');
    bytes(s.data(), s.size());
    return s;
  }
  size_t left() const { return left_; }
  bool ok = true;

private:
  const uint8_t *data_;
  size_t left_;
};

void writeGroups(Writer &out, const Grouping &grouping) {
  out.value(uint64_t(grouping.groups().size()));
  for (size_t g = 0; g < grouping.groups().size(); ++g) {
    const Group &group = grouping.groups()[g];
    out.value(group.id);
    out.value(group.offered);
    out.value(group.lastSeen);
    out.value(grouping.rows(int32_t(g)));
    for (int64_t i = 0; i < grouping.rows(int32_t(g)); ++i)
      out.value(grouping.slot(int32_t(g), i));
  }
}

/// Reads groups into `grouping` (sized for the capacity, empty), checking
/// that they hold each of slots [0, size) exactly once. Assigned in the
/// saved order, each group's rows keep their order, and with it every later
/// draw.
bool readGroups(Reader &in, Grouping &grouping, int64_t size,
                std::string &error) {
  auto count = in.value<uint64_t>();
  int64_t assigned = 0;
  for (uint64_t g = 0; in.ok && g < count; ++g) {
    auto id = in.value<int64_t>();
    if (grouping.has(id)) {
      error = "group " + std::to_string(id) + " appears twice";
      return false;
    }
    int32_t group = grouping.find(id);
    grouping[group].offered = in.value<int64_t>();
    grouping[group].lastSeen = in.value<int64_t>();
    auto rows = in.value<int64_t>();
    if (rows < 0 || uint64_t(rows) > in.left() / sizeof(int64_t))
      in.ok = false;
    for (int64_t i = 0; in.ok && i < rows; ++i) {
      auto slot = in.value<int64_t>();
      if (slot < 0 || slot >= size || grouping.groupOf(slot) >= 0) {
        error = "slot " + std::to_string(slot) + " is out of place";
        return false;
      }
      grouping.assign(slot, group);
      ++assigned;
    }
  }
  if (in.ok && assigned != size) {
    error = "groups hold " + std::to_string(assigned) + " of " +
            std::to_string(size) + " rows";
    return false;
  }
  return in.ok;
}

} // namespace

std::vector<uint8_t> ReplayBuffer::serialize() const {
  std::vector<uint8_t> bytes;
  Writer out(bytes);
  out.bytes(kMagic, sizeof kMagic);
  out.value(kVersion);
  out.value(options_.capacity);
  out.value(uint8_t(options_.insertion));
  out.value(uint8_t(options_.sampling));
  out.value(uint8_t(options_.decay));
  out.string(options_.classField);
  out.value(options_.taskQuota);
  out.value(options_.seed);
  out.value(options_.stream);

  out.value(uint64_t(fields_.size()));
  for (const FieldSpec &field : fields_) {
    out.string(field.name);
    out.value(uint8_t(field.element));
    out.value(field.size);
    out.bytes(field.byteValues.data(), sizeof field.byteValues);
  }

  out.value(size_);
  out.value(offered_);
  out.value(blocks_);
  out.value(counter_);
  out.value(maxPriority_);
  out.value(treeAlpha_);
  writeGroups(out, tasks_);
  writeGroups(out, classes_);
  if (options_.sampling == Sampling::Prioritized)
    out.bytes(priorities_.data(), size_t(size_) * sizeof(float));
  for (size_t f = 0; f < fields_.size(); ++f)
    out.bytes(storage_[f].data(), size_t(size_) * rowBytes_[f]);
  return bytes;
}

bool ReplayBuffer::restore(const uint8_t *bytes, size_t size,
                           std::string &error) {
  Reader in(bytes, size);
  char magic[sizeof kMagic];
  in.bytes(magic, sizeof magic);
  if (!in.ok || std::memcmp(magic, kMagic, sizeof kMagic) != 0 ||
      in.value<uint32_t>() != kVersion) {
    error = "not a replay buffer of this version";
    return false;
  }
  Options saved;
  saved.capacity = in.value<int64_t>();
  saved.insertion = Insertion(in.value<uint8_t>());
  saved.sampling = Sampling(in.value<uint8_t>());
  saved.decay = Decay(in.value<uint8_t>());
  saved.classField = in.string();
  saved.taskQuota = in.value<int64_t>();
  saved.seed = in.value<uint64_t>();
  saved.stream = in.value<uint64_t>();
  if (in.ok &&
      (saved.capacity != options_.capacity ||
       saved.insertion != options_.insertion ||
       saved.sampling != options_.sampling || saved.decay != options_.decay ||
       saved.classField != options_.classField ||
       saved.taskQuota != options_.taskQuota)) {
    error = "saved with other options (capacity " +
            std::to_string(saved.capacity) + ", this one " +
            std::to_string(options_.capacity) + ", or its policies)";
    return false;
  }

  auto numFields = in.value<uint64_t>();
  if (numFields > in.left())
    in.ok = false;
  std::vector<FieldSpec> fields(in.ok ? size_t(numFields) : 0);
  for (FieldSpec &field : fields) {
    field.name = in.string();
    field.element = Element(in.value<uint8_t>());
    field.size = in.value<int64_t>();
    in.bytes(field.byteValues.data(), sizeof field.byteValues);
    if (field.size < 0 || field.size > INT32_MAX ||
        field.element > Element::F32)
      in.ok = false;
  }
  if (!in.ok) {
    error = "truncated or corrupt";
    return false;
  }
  // A fresh buffer takes the saved fields; one with fields must match them.
  ReplayBuffer restored(saved);
  if (fields.empty())
    fields = fields_;
  if (hasFields()) {
    bool same = fields.size() == fields_.size();
    for (size_t f = 0; same && f < fields.size(); ++f)
      same = fields[f].name == fields_[f].name &&
             fields[f].element == fields_[f].element &&
             fields[f].size == fields_[f].size;
    if (!same) {
      error = "saved with other fields";
      return false;
    }
  }
  if (!fields.empty())
    if (error = restored.defineFields(std::move(fields)); !error.empty())
      return false;

  restored.size_ = in.value<int64_t>();
  restored.offered_ = in.value<int64_t>();
  restored.blocks_ = in.value<int64_t>();
  restored.counter_ = in.value<uint64_t>();
  restored.maxPriority_ = in.value<float>();
  restored.treeAlpha_ = in.value<double>();
  if (restored.size_ < 0 || restored.size_ > restored.capacity() ||
      (restored.size_ > 0 && !restored.hasFields())) {
    error = "holds " + std::to_string(restored.size_) + " rows";
    return false;
  }
  if (!readGroups(in, restored.tasks_, restored.size_, error) ||
      (options_.insertion == Insertion::ClassBalanced &&
       !readGroups(in, restored.classes_, restored.size_, error)) ||
      (options_.insertion != Insertion::ClassBalanced &&
       in.value<uint64_t>() != 0)) {
    if (error.empty())
      error = "truncated or corrupt";
    return false;
  }
  if (options_.sampling == Sampling::Prioritized) {
    in.bytes(restored.priorities_.data(), size_t(restored.size_) * 4);
    restored.rebuildTree(restored.treeAlpha_);
  }
  for (size_t f = 0; f < restored.fields_.size(); ++f)
    in.bytes(restored.storage_[f].data(),
             size_t(restored.size_) * restored.rowBytes_[f]);
  if (!in.ok || in.left() != 0) {
    error = "truncated or corrupt";
    return false;
  }
  *this = std::move(restored);
  return true;
}

} // namespace kiln::replay
