//===- FrontendCommands.h - kilnc check / emit ------------------*- C++ -*-===//

#ifndef KILN_COMPILER_TOOLS_KILNC_FRONTENDCOMMANDS_H
#define KILN_COMPILER_TOOLS_KILNC_FRONTENDCOMMANDS_H

#include <optional>

namespace kiln {

/// Runs `kilnc check` or `kilnc emit` if one was given on the command line;
/// returns its exit code, or nothing if neither was.
std::optional<int> runFrontendCommand();

} // namespace kiln

#endif // KILN_COMPILER_TOOLS_KILNC_FRONTENDCOMMANDS_H
