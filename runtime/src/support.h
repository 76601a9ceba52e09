//===- support.h - Errors and JSON output shared by runtime services ------===//
//
// Internal to the runtime: not part of the C ABI.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SUPPORT_H
#define KILN_RUNTIME_SUPPORT_H

#include <cstdint>
#include <string>
#include <string_view>

namespace kiln {

/// Makes this thread's float arithmetic flush denormal results and inputs to
/// zero, as ML frameworks' fast modes do: Adam's second moments decay into
/// the denormal range, where every operation costs ~100 cycles. Returns the
/// previous mode, for restoreFloatMode.
uint64_t flushDenormals();
void restoreFloatMode(uint64_t mode);

/// Records the message kiln_last_error() reports on this thread.
void setLastError(std::string message);

/// "<path>: <strerror(errno)>", for a failed system call on `path`.
std::string systemError(const std::string &path);

namespace json {

/// Appends `text` as a quoted JSON string.
void appendString(std::string &out, std::string_view text);
/// Appends the shortest decimal that reads back as exactly `value` (NaN and
/// infinities as Python's json module writes them: NaN, Infinity).
void appendF32(std::string &out, float value);
void appendF64(std::string &out, double value);

} // namespace json
} // namespace kiln

#endif // KILN_RUNTIME_SUPPORT_H
