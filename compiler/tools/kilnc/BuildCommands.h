//===- BuildCommands.h - kilnc build / run ----------------------*- C++ -*-===//

#ifndef KILN_COMPILER_TOOLS_KILNC_BUILDCOMMANDS_H
#define KILN_COMPILER_TOOLS_KILNC_BUILDCOMMANDS_H

#include <optional>

namespace kiln {

/// Runs `kilnc build`, `kilnc run` or `kilnc export` if argv[1] names one;
/// returns its exit code, or nothing otherwise. These take the program's own
/// flags after the file, so they parse their command line themselves.
std::optional<int> runBuildCommand(int argc, char **argv);

} // namespace kiln

#endif // KILN_COMPILER_TOOLS_KILNC_BUILDCOMMANDS_H
