//===- checkpoint_file.cpp - Checkpoint files: format, saving, loading ----===//

#include "kiln/checkpoint.h"

#include "kiln/crc32c.h"
#include "support.h"

#include "checkpoint_generated.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace kiln::checkpoint {
namespace {

/// The last bytes of a file, little-endian like the rest of it.
struct Trailer {
  uint64_t metadataSize;
  uint32_t metadataCrc;
  uint32_t formatVersion;
  char magic[8];
};
static_assert(sizeof(Trailer) == 24, "the trailer is 24 bytes on disk");
constexpr char kTrailerMagic[8] = {'K', 'I', 'L', 'N', '-', 'E', 'N', 'D'};
constexpr const char *kTemporarySuffix = ".tmp";

int64_t failWritesAfter = -1;

uint64_t alignUp(uint64_t offset) {
  return (offset + kAlignment - 1) / kAlignment * kAlignment;
}

/// Writes to a file descriptor, counting bytes for failWritesAfterForTesting.
class Writer {
public:
  explicit Writer(int fd) : fd_(fd) {}

  bool write(const void *data, uint64_t size) {
    const auto *bytes = static_cast<const char *>(data);
    while (size) {
      uint64_t chunk = size;
      if (failWritesAfter >= 0) {
        uint64_t allowed = uint64_t(failWritesAfter) > written_
                               ? uint64_t(failWritesAfter) - written_
                               : 0;
        if (allowed == 0) {
          errno = ENOSPC;
          return false;
        }
        chunk = std::min(chunk, allowed);
      }
      ssize_t done = ::write(fd_, bytes, chunk);
      if (done < 0 && errno == EINTR)
        continue;
      if (done <= 0)
        return false;
      bytes += done;
      size -= uint64_t(done);
      written_ += uint64_t(done);
    }
    return true;
  }
  /// Zeros up to the next multiple of kAlignment.
  bool pad() {
    static const char zeros[kAlignment] = {};
    return write(zeros, alignUp(written_) - written_);
  }
  uint64_t written() const { return written_; }

private:
  int fd_;
  uint64_t written_ = 0;
};

using BlobOffsets = std::vector<flatbuffers::Offset<fb::Blob>>;

/// The metadata of `contents` with its blobs laid out from `dataStart`.
void buildMetadata(flatbuffers::FlatBufferBuilder &builder,
                   const Contents &contents, const std::vector<uint32_t> &crcs,
                   uint64_t dataStart) {
  builder.Clear();
  // Every scalar is written, defaults too, so the size of the metadata does
  // not depend on the offsets it holds.
  builder.ForceDefaults(true);
  uint64_t offset = dataStart;
  size_t index = 0;
  auto blobs = [&](const std::vector<Blob> &list) {
    BlobOffsets offsets;
    for (const Blob &blob : list) {
      offsets.push_back(fb::CreateBlobDirect(
          builder, blob.name.c_str(), offset, blob.size, crcs[index++],
          fb::DType(blob.dtype), &blob.shape, blob.parameter));
      offset = alignUp(offset + blob.size);
    }
    return builder.CreateVector(offsets);
  };
  auto tensors = blobs(contents.tensors);
  auto parts = blobs(contents.parts);
  std::vector<fb::LoopPosition> position;
  for (const LoopPosition &level : contents.position)
    position.emplace_back(level.loop, level.iteration);
  auto root = fb::CreateCheckpoint(
      builder, builder.CreateString(contents.experiment),
      builder.CreateString(contents.programHash),
      builder.CreateString(contents.config), contents.seed, contents.steps,
      contents.metricsSize, builder.CreateVectorOfStructs(position),
      contents.atExit, builder.CreateString(contents.label), tensors, parts,
      builder.CreateString(contents.trackedMetric),
      contents.trackedValue.value_or(0), contents.trackedValue.has_value());
  fb::FinishCheckpointBuffer(builder, root);
}

std::string syncDirectory(const std::string &dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return systemError(dir);
  bool synced = ::fsync(fd) == 0;
  std::string error = synced ? "" : systemError(dir);
  ::close(fd);
  return error;
}

std::string directoryOf(const std::string &path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  return dir.empty() ? "." : dir;
}

bool isZero(const uint8_t *bytes, uint64_t size) {
  for (uint64_t i = 0; i < size; ++i)
    if (bytes[i])
      return false;
  return true;
}

/// "ckpt-<steps>.kiln" gives steps; anything else -1.
int64_t stepsOf(const std::string &name) {
  constexpr std::string_view prefix = "ckpt-", suffix = ".kiln";
  if (name.size() <= prefix.size() + suffix.size() ||
      name.compare(0, prefix.size(), prefix) != 0 ||
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
    return -1;
  std::string digits =
      name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  if (digits.size() > 18 ||
      !std::all_of(digits.begin(), digits.end(),
                   [](char c) { return c >= '0' && c <= '9'; }))
    return -1;
  return std::stoll(digits);
}

std::string hex(uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof text, "%08x", value);
  return text;
}

} // namespace

std::string save(const std::string &path, const Contents &contents) {
  std::vector<uint32_t> crcs;
  for (const std::vector<Blob> *list : {&contents.tensors, &contents.parts})
    for (const Blob &blob : *list)
      crcs.push_back(crc32c(blob.data, blob.size));
  flatbuffers::FlatBufferBuilder builder(4096);
  buildMetadata(builder, contents, crcs, 0);
  uint64_t dataStart = alignUp(builder.GetSize());
  buildMetadata(builder, contents, crcs, dataStart);
  if (alignUp(builder.GetSize()) != dataStart)
    return path + ": internal error: the checkpoint's metadata changed size";

  std::string temporary =
      (std::filesystem::path(directoryOf(path)) /
       ("." + std::filesystem::path(path).filename().string() +
        kTemporarySuffix))
          .string();
  int fd =
      ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return "cannot save checkpoint: " + systemError(temporary);
  Writer writer(fd);
  Trailer trailer{builder.GetSize(),
                  crc32c(builder.GetBufferPointer(), builder.GetSize()),
                  kFormatVersion,
                  {}};
  std::memcpy(trailer.magic, kTrailerMagic, sizeof trailer.magic);
  bool written = writer.write(builder.GetBufferPointer(), builder.GetSize()) &&
                 writer.pad();
  for (const std::vector<Blob> *list : {&contents.tensors, &contents.parts})
    for (const Blob &blob : *list)
      written = written && writer.write(blob.data, blob.size) && writer.pad();
  written =
      written && writer.write(&trailer, sizeof trailer) && ::fsync(fd) == 0;
  std::string error = written ? "" : systemError(temporary);
  if (::close(fd) != 0 && error.empty())
    error = systemError(temporary);
  if (error.empty() && ::rename(temporary.c_str(), path.c_str()) != 0)
    error = systemError(path);
  if (!error.empty()) {
    ::unlink(temporary.c_str());
    return "cannot save checkpoint: " + error;
  }
  // The rename is durable once the directory is.
  error = syncDirectory(directoryOf(path));
  return error.empty() ? "" : "cannot save checkpoint: " + error;
}

std::string parse(const uint8_t *bytes, size_t size, const std::string &name,
                  Contents &out, bool checkData) {
  auto fail = [&](const std::string &what) { return name + ": " + what; };
  out = Contents();
  if (size < 8 + sizeof(Trailer))
    return fail("too short to be a checkpoint (" + std::to_string(size) +
                " bytes)");
  if (!flatbuffers::BufferHasIdentifier(bytes, fb::CheckpointIdentifier()))
    return fail("not a Kiln checkpoint (no identifier \"KILN\" at byte 4)");
  Trailer trailer;
  std::memcpy(&trailer, bytes + size - sizeof trailer, sizeof trailer);
  if (std::memcmp(trailer.magic, kTrailerMagic, sizeof kTrailerMagic) != 0)
    return fail("truncated or damaged at the end: its last " +
                std::to_string(sizeof trailer) +
                " bytes are not a checkpoint trailer");
  if (trailer.formatVersion != kFormatVersion)
    return fail("format version " + std::to_string(trailer.formatVersion) +
                "; this runtime reads version " +
                std::to_string(kFormatVersion));
  uint64_t dataEnd = size - sizeof trailer;
  if (trailer.metadataSize < 8 || trailer.metadataSize > dataEnd)
    return fail("the trailer gives a metadata size of " +
                std::to_string(trailer.metadataSize) + " bytes, which the " +
                std::to_string(size) + "-byte file cannot hold");
  uint32_t crc = crc32c(bytes, trailer.metadataSize);
  if (crc != trailer.metadataCrc)
    return fail("the metadata fails its CRC-32C check (stored " +
                hex(trailer.metadataCrc) + ", computed " + hex(crc) + ")");
  flatbuffers::Verifier verifier(bytes, trailer.metadataSize);
  if (!fb::VerifyCheckpointBuffer(verifier))
    return fail("the metadata fails FlatBuffers verification");

  const fb::Checkpoint *root = fb::GetCheckpoint(bytes);
  out.experiment = root->experiment()->str();
  out.programHash = root->program_hash()->str();
  out.config = root->config() ? root->config()->str() : "";
  out.label = root->label() ? root->label()->str() : "";
  out.seed = root->seed();
  out.steps = root->steps();
  out.metricsSize = root->metrics_size();
  out.atExit = root->at_exit();
  out.trackedMetric =
      root->tracked_metric() ? root->tracked_metric()->str() : "";
  if (root->has_tracked_value())
    out.trackedValue = root->tracked_value();
  if (root->position()->size() == 0)
    return fail("the metadata has no loop position");
  for (const fb::LoopPosition *level : *root->position()) {
    if (level->iteration() < 0)
      return fail("the metadata has a negative loop iteration");
    out.position.push_back({level->loop(), level->iteration()});
  }

  // Blobs follow the metadata in order, each at the next aligned offset,
  // with zeros between: every byte of the file is accounted for.
  uint64_t expected = alignUp(trailer.metadataSize), end = trailer.metadataSize;
  auto readBlobs =
      [&](const flatbuffers::Vector<flatbuffers::Offset<fb::Blob>> &blobs,
          const char *kind, std::vector<Blob> &list) {
        for (const fb::Blob *blob : blobs) {
          std::string blobName = blob->name()->str();
          std::string what = std::string(kind) + " '" + blobName + "'";
          for (const Blob &other : list)
            if (other.name == blobName)
              return fail(what + " appears twice");
          if (blob->offset() != expected)
            return fail(what + " is at offset " +
                        std::to_string(blob->offset()) + ", not " +
                        std::to_string(expected));
          if (expected > dataEnd || blob->size() > dataEnd - expected)
            return fail(what + " (" + std::to_string(blob->size()) +
                        " bytes at offset " + std::to_string(expected) +
                        ") runs past the end of the data");
          if (!isZero(bytes + end, expected - end))
            return fail("nonzero padding at offset " + std::to_string(end));
          if (checkData) {
            uint32_t stored = blob->crc32c(),
                     computed = crc32c(bytes + expected, blob->size());
            if (stored != computed)
              return fail(what + " fails its CRC-32C check (stored " +
                          hex(stored) + ", computed " + hex(computed) + ")");
          }
          Blob &entry = list.emplace_back();
          entry.name = std::move(blobName);
          entry.data = bytes + expected;
          entry.size = blob->size();
          entry.dtype = DType(blob->dtype());
          if (blob->shape())
            entry.shape.assign(blob->shape()->begin(), blob->shape()->end());
          entry.parameter = blob->parameter();
          end = expected + blob->size();
          expected = alignUp(end);
        }
        return std::string();
      };
  if (std::string error = readBlobs(*root->tensors(), "tensor", out.tensors);
      !error.empty())
    return error;
  if (std::string error = readBlobs(*root->parts(), "part", out.parts);
      !error.empty())
    return error;
  if (expected != dataEnd)
    return fail("the data ends at offset " + std::to_string(expected) +
                " but the trailer starts at " + std::to_string(dataEnd));
  if (!isZero(bytes + end, dataEnd - end))
    return fail("nonzero padding at offset " + std::to_string(end));
  return "";
}

File::~File() {
  if (mapping_)
    ::munmap(mapping_, size_);
}

std::string File::open(const std::string &path, bool checkData) {
  path_ = path;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat status;
  if (fd < 0 || ::fstat(fd, &status) != 0) {
    std::string error = systemError(path);
    if (fd >= 0)
      ::close(fd);
    return error;
  }
  size_ = size_t(status.st_size);
  if (size_ == 0) {
    ::close(fd);
    return path + ": empty file";
  }
  void *mapping = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (mapping == MAP_FAILED)
    return systemError(path);
  mapping_ = mapping;
  return parse(static_cast<const uint8_t *>(mapping_), size_, path, contents_,
               checkData);
}

const Blob *File::tensor(const std::string &name) const {
  for (const Blob &blob : contents_.tensors)
    if (blob.name == name)
      return &blob;
  return nullptr;
}

const Blob *File::part(const std::string &name) const {
  for (const Blob &blob : contents_.parts)
    if (blob.name == name)
      return &blob;
  return nullptr;
}

std::string fileName(int64_t steps) {
  return "ckpt-" + std::to_string(steps) + ".kiln";
}

std::vector<Entry> list(const std::string &dir) {
  std::vector<Entry> entries;
  std::error_code error;
  for (const auto &entry : std::filesystem::directory_iterator(dir, error)) {
    int64_t steps = stepsOf(entry.path().filename().string());
    if (steps >= 0)
      entries.push_back({steps, entry.path().string()});
  }
  std::sort(entries.begin(), entries.end(),
            [](const Entry &a, const Entry &b) { return a.steps > b.steps; });
  return entries;
}

std::string retain(const std::string &dir, const Retention &policy) {
  std::vector<Entry> entries = list(dir);
  std::vector<bool> keep(entries.size());
  std::optional<size_t> best;
  double bestValue = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    keep[i] =
        int64_t(i) < policy.keepLast ||
        (policy.keepEvery > 0 && entries[i].steps % policy.keepEvery == 0);
    if (policy.bestMetric.empty())
      continue;
    // The metadata alone says which metric value a checkpoint saw.
    File file;
    if (!file.open(entries[i].path, /*checkData=*/false).empty() ||
        file.contents().trackedMetric != policy.bestMetric ||
        !file.contents().trackedValue)
      continue;
    double value = *file.contents().trackedValue;
    if (!best || (policy.bestIsMin ? value < bestValue : value > bestValue)) {
      best = i;
      bestValue = value;
    }
  }
  if (best)
    keep[*best] = true;
  std::string errors;
  for (size_t i = 0; i < entries.size(); ++i) {
    std::error_code error;
    if (!keep[i] && !std::filesystem::remove(entries[i].path, error) && error)
      errors += (errors.empty() ? "" : "; ") + entries[i].path + ": " +
                error.message();
  }
  return errors.empty() ? "" : "cannot remove old checkpoints: " + errors;
}

void removeTemporaries(const std::string &dir) {
  std::error_code error;
  std::vector<std::filesystem::path> temporaries;
  std::string_view suffix = kTemporarySuffix;
  for (const auto &entry : std::filesystem::directory_iterator(dir, error)) {
    std::string name = entry.path().filename().string();
    if (name.size() > suffix.size() + 1 && name[0] == '.' &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0 &&
        stepsOf(name.substr(1, name.size() - 1 - suffix.size())) >= 0)
      temporaries.push_back(entry.path());
  }
  for (const std::filesystem::path &path : temporaries)
    std::filesystem::remove(path, error);
}

void failWritesAfterForTesting(int64_t bytes) { failWritesAfter = bytes; }

} // namespace kiln::checkpoint
