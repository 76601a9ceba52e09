//===- cli.h - Command lines of built experiments -------------------------===//
//
// The C++ API behind kiln_cli_parse, which prints what this returns.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CLI_H
#define KILN_CLI_H

#include "kiln/runtime.h"

#include <string>

namespace kiln::cli {

enum class Outcome { Run, Help, Error };

/// Parses argv[1..argc) into `params` and `options` (see kiln_cli_parse).
/// On Help, `message` is the help text; on Error, one line saying what is
/// wrong. The declarations are checked too: a hyper-parameter named like a
/// run option or another hyper-parameter, or a string default outside its
/// choices, is an error.
Outcome parse(int argc, char **argv, const char *description,
              kiln_hparam *params, size_t numParams, kiln_run_options *options,
              std::string &message);

/// The text of DIR/config.json (see kiln_write_config), which checkpoints
/// keep too.
std::string configJson(const kiln_hparam *params, size_t numParams,
                       const kiln_run_options &options, const char *sourceHash);

} // namespace kiln::cli

#endif // KILN_CLI_H
