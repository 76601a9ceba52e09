//===- support.cpp - Errors and JSON output shared by runtime services ----===//

#include "support.h"

#include "kiln/runtime.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace kiln {
namespace {

thread_local std::string lastError;

/// Appends the non-finite spellings; returns false for a finite value.
bool appendNonFinite(std::string &out, double value) {
  if (std::isnan(value))
    out += "NaN";
  else if (std::isinf(value))
    out += value < 0 ? "-Infinity" : "Infinity";
  else
    return false;
  return true;
}

} // namespace

uint64_t flushDenormals() {
#if defined(__x86_64__)
  // FTZ (bit 15) and DAZ (bit 6) of MXCSR.
  uint64_t mode = _mm_getcsr();
  _mm_setcsr(unsigned(mode) | 0x8040);
  return mode;
#elif defined(__aarch64__)
  uint64_t mode;
  asm volatile("mrs %0, fpcr" : "=r"(mode));
  asm volatile("msr fpcr, %0" : : "r"(mode | (uint64_t(1) << 24)));
  return mode;
#else
  return 0;
#endif
}

void restoreFloatMode(uint64_t mode) {
#if defined(__x86_64__)
  _mm_setcsr(unsigned(mode));
#elif defined(__aarch64__)
  asm volatile("msr fpcr, %0" : : "r"(mode));
#else
  (void)mode;
#endif
}

void setLastError(std::string message) { lastError = std::move(message); }

std::string systemError(const std::string &path) {
  return path + ": " + std::strerror(errno);
}

namespace json {

void appendString(std::string &out, std::string_view text) {
  out += '"';
  for (char c : text) {
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (static_cast<unsigned char>(c) < 0x20) {
        char escape[8];
        std::snprintf(escape, sizeof escape, "\\u%04x", c);
        out += escape;
      } else {
        out += c;
      }
    }
  }
  out += '"';
}

void appendF32(std::string &out, float value) {
  if (appendNonFinite(out, value))
    return;
  char text[32];
  // 9 significant digits always round-trip a float; fewer often do.
  for (int digits = 6; digits <= 9; ++digits) {
    std::snprintf(text, sizeof text, "%.*g", digits, double(value));
    if (std::strtof(text, nullptr) == value)
      break;
  }
  out += text;
}

void appendF64(std::string &out, double value) {
  if (appendNonFinite(out, value))
    return;
  char text[32];
  // 17 significant digits always round-trip a double.
  for (int digits = 15; digits <= 17; ++digits) {
    std::snprintf(text, sizeof text, "%.*g", digits, value);
    if (std::strtod(text, nullptr) == value)
      break;
  }
  out += text;
}

} // namespace json
} // namespace kiln

extern "C" const char *kiln_last_error(void) { return kiln::lastError.c_str(); }
