//===- cli.cpp - Command lines of built experiments -----------------------===//

#include "kiln/cli.h"

#include "support.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string_view>

namespace kiln::cli {
namespace {

constexpr const char *kRunOptions[] = {"help",
                                       "seed",
                                       "out",
                                       "resume",
                                       "device",
                                       "threads",
                                       "data-dir",
                                       "checkpoint-every",
                                       "keep-checkpoints",
                                       "keep-every",
                                       "keep-best",
                                       "keep-best-min",
                                       "init-from"};

/// Names compare with '-' and '_' as one character.
bool sameName(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] == '_' ? '-' : a[i], y = b[i] == '_' ? '-' : b[i];
    if (x != y)
      return false;
  }
  return true;
}

const char *typeName(int32_t type) {
  switch (type) {
  case KILN_HPARAM_INT:
    return "INT";
  case KILN_HPARAM_FLOAT:
    return "FLOAT";
  case KILN_HPARAM_BOOL:
    return "BOOL";
  default:
    return "STRING";
  }
}

const char *deviceName(int32_t device) {
  return device == KILN_DEVICE_CUDA ? "cuda" : "cpu";
}

std::string choicesText(const kiln_hparam &param) {
  std::string text;
  for (size_t i = 0; i < param.num_choices; ++i)
    text += (i ? "|" : "") + std::string(param.choices[i]);
  return text;
}

bool isChoice(const kiln_hparam &param, const char *value) {
  for (size_t i = 0; i < param.num_choices; ++i)
    if (std::strcmp(param.choices[i], value) == 0)
      return true;
  return false;
}

/// The value of a hyper-parameter as JSON, which --help shows too.
std::string valueJson(const kiln_hparam &param) {
  std::string text;
  switch (param.type) {
  case KILN_HPARAM_INT:
    return std::to_string(param.int_value);
  case KILN_HPARAM_FLOAT:
    json::appendF64(text, param.float_value);
    return text;
  case KILN_HPARAM_BOOL:
    return param.bool_value ? "true" : "false";
  default:
    json::appendString(text, param.string_value ? param.string_value : "");
    return text;
  }
}

/// "[0, inf]": a range as --help and errors show it.
std::string rangeText(const kiln_hparam &param) {
  auto bound = [&](double value) {
    if (std::isinf(value))
      return std::string(value < 0 ? "-inf" : "inf");
    std::string text;
    if (param.type == KILN_HPARAM_INT)
      return std::to_string(int64_t(value));
    json::appendF64(text, value);
    return text;
  };
  return "[" + bound(param.low) + ", " + bound(param.high) + "]";
}

/// Empty when `param`'s value lies in its range (if any), else why not.
std::string outOfRange(const kiln_hparam &param) {
  if (!param.has_range)
    return "";
  double value = param.type == KILN_HPARAM_INT ? double(param.int_value)
                                               : param.float_value;
  if (value >= param.low && value <= param.high)
    return "";
  return valueJson(param) + " is not in " + rangeText(param);
}

std::string checkDeclarations(const kiln_hparam *params, size_t numParams) {
  for (size_t i = 0; i < numParams; ++i) {
    const kiln_hparam &param = params[i];
    std::string name = param.name;
    for (const char *option : kRunOptions)
      if (sameName(name, option))
        return "hyper-parameter '" + name + "' clashes with --" + option;
    for (size_t j = 0; j < i; ++j)
      if (sameName(name, params[j].name))
        return "hyper-parameter '" + name + "' is declared twice";
    if (param.type < KILN_HPARAM_INT || param.type > KILN_HPARAM_STRING)
      return "hyper-parameter '" + name + "' has unknown type " +
             std::to_string(param.type);
    if (param.type == KILN_HPARAM_STRING && param.num_choices &&
        !(param.string_value && isChoice(param, param.string_value)))
      return "hyper-parameter '" + name + "' defaults to " + valueJson(param) +
             ", which is not one of " + choicesText(param);
    if (std::string why = outOfRange(param); !why.empty())
      return "hyper-parameter '" + name + "': its default " + why;
  }
  return "";
}

void appendHelpLine(std::string &help, const std::string &flag,
                    const std::string &text) {
  help += "  " + flag;
  help.append(flag.size() < 24 ? 24 - flag.size() : 1, ' ');
  help += text + "\n";
}

std::string helpText(const char *program, const char *description,
                     const kiln_hparam *params, size_t numParams,
                     const kiln_run_options &options) {
  std::string help = "usage: " + std::string(program) + " [options]\n";
  if (description && *description)
    help += "\n" + std::string(description) + "\n";
  help += "\noptions:\n";
  appendHelpLine(help, "--help", "print this help and exit");
  appendHelpLine(help, "--seed N",
                 "random seed (default " + std::to_string(options.seed) + ")");
  appendHelpLine(help, "--out DIR",
                 "output directory (default " +
                     std::string(options.out_dir ? options.out_dir : "") + ")");
  appendHelpLine(help, "--resume", "resume from the checkpoint in --out");
  appendHelpLine(help, "--device cpu|cuda",
                 "device (default " + std::string(deviceName(options.device)) +
                     ")");
  appendHelpLine(help, "--threads N",
                 "worker threads (default " + std::to_string(options.threads) +
                     ")");
  appendHelpLine(help, "--data-dir DIR",
                 options.data_dir
                     ? "data set directory (default " +
                           std::string(options.data_dir) + ")"
                     : "data set directory (default $KILN_DATA_DIR, else "
                       "/usr/share/datasets/<data set>)");
  appendHelpLine(help, "--checkpoint-every N",
                 "save a checkpoint every N train steps (default " +
                     std::to_string(options.checkpoint_every) +
                     ": only when the program or a signal asks)");
  appendHelpLine(help, "--keep-checkpoints K",
                 "keep the newest K checkpoints (default " +
                     std::to_string(options.keep_checkpoints) + ")");
  appendHelpLine(help, "--keep-every N",
                 "also keep every checkpoint at a multiple of N steps");
  appendHelpLine(help, "--keep-best NAME",
                 "also keep the checkpoint with the highest last value of "
                 "metric NAME");
  appendHelpLine(help, "--keep-best-min", "--keep-best keeps the lowest");
  appendHelpLine(help, "--init-from FILE",
                 "initialize the parameters from a .safetensors file");
  if (numParams)
    help += "\nhyper-parameters:\n";
  for (size_t i = 0; i < numParams; ++i) {
    const kiln_hparam &param = params[i];
    std::string flag = "--" + std::string(param.name) + " ";
    flag += param.num_choices ? choicesText(param) : typeName(param.type);
    std::string text =
        param.doc && *param.doc ? param.doc + std::string(" ") : std::string();
    appendHelpLine(help, flag,
                   text + (param.fixed ? "(fixed at build: " : "(default ") +
                       valueJson(param) +
                       (param.has_range ? ", in " + rangeText(param) : "") +
                       ")");
  }
  return help;
}

/// Parsers of one value; each returns an error, or "" having set `out`.
std::string parseInt(const char *text, int64_t &out) {
  char *end;
  errno = 0;
  long long value = std::strtoll(text, &end, 10);
  if (!*text || *end)
    return "'" + std::string(text) + "' is not an integer";
  if (errno == ERANGE)
    return "'" + std::string(text) + "' is out of the range of int64";
  out = value;
  return "";
}

std::string parseFloat(const char *text, double &out) {
  char *end;
  double value = std::strtod(text, &end);
  if (!*text || *end || !std::isfinite(value))
    return "'" + std::string(text) + "' is not a finite number";
  out = value;
  return "";
}

/// True for the spellings of a bool value, which it sets.
bool parseBool(const char *text, int32_t &out) {
  for (const char *spelling : {"true", "1", "false", "0"})
    if (std::strcmp(text, spelling) == 0) {
      out = *spelling == 't' || *spelling == '1';
      return true;
    }
  return false;
}

std::string parseSeed(const char *text, uint64_t &out) {
  char *end;
  errno = 0;
  unsigned long long value = std::strtoull(text, &end, 10);
  if (!*text || *end || *text == '-' || *text == '+' || errno == ERANGE)
    return "'" + std::string(text) + "' is not an integer in [0, 2^64)";
  out = value;
  return "";
}

std::string parseValue(kiln_hparam &param, const char *text) {
  std::string why;
  switch (param.type) {
  case KILN_HPARAM_INT:
    why = parseInt(text, param.int_value);
    return why.empty() ? outOfRange(param) : why;
  case KILN_HPARAM_FLOAT:
    why = parseFloat(text, param.float_value);
    return why.empty() ? outOfRange(param) : why;
  case KILN_HPARAM_BOOL:
    return parseBool(text, param.bool_value)
               ? ""
               : "'" + std::string(text) + "' is not true, false, 1 or 0";
  default:
    if (!param.num_choices) {
      param.string_value = text;
      return "";
    }
    for (size_t i = 0; i < param.num_choices; ++i)
      if (std::strcmp(param.choices[i], text) == 0) {
        param.string_value = param.choices[i];
        return "";
      }
    return "'" + std::string(text) + "' is not one of " + choicesText(param);
  }
}

bool sameValue(const kiln_hparam &a, const kiln_hparam &b) {
  switch (a.type) {
  case KILN_HPARAM_INT:
    return a.int_value == b.int_value;
  case KILN_HPARAM_FLOAT:
    return a.float_value == b.float_value;
  case KILN_HPARAM_BOOL:
    return a.bool_value == b.bool_value;
  default:
    return std::strcmp(a.string_value ? a.string_value : "",
                       b.string_value ? b.string_value : "") == 0;
  }
}

std::string fixedError(const kiln_hparam &param, const char *text) {
  return "--" + std::string(param.name) +
         " is fixed when the program is built (it sizes tensors or a "
         "schedule); rebuild with 'kilnc build <file> --set " +
         param.name + "=" + text +
         "', or use 'kilnc run', which rebuilds as needed";
}

std::string parseRunOption(std::string_view name, const char *text,
                           kiln_run_options &options) {
  if (name == "seed")
    return parseSeed(text, options.seed);
  if (name == "out") {
    if (!*text)
      return "the output directory is empty";
    options.out_dir = text;
    return "";
  }
  if (name == "device") {
    bool cuda = std::strcmp(text, "cuda") == 0;
    if (!cuda && std::strcmp(text, "cpu") != 0)
      return "'" + std::string(text) + "' is not cpu or cuda";
    options.device = cuda ? KILN_DEVICE_CUDA : KILN_DEVICE_CPU;
    return "";
  }
  if (name == "data-dir") {
    if (!*text)
      return "the data directory is empty";
    options.data_dir = text;
    return "";
  }
  if (name == "help")
    return "takes no value";
  if (name == "keep-best" || name == "init-from") {
    if (!*text)
      return "the value is empty";
    (name == "keep-best" ? options.keep_best : options.init_from) = text;
    return "";
  }
  if (name == "checkpoint-every" || name == "keep-every" ||
      name == "keep-checkpoints") {
    int64_t count;
    std::string error = parseInt(text, count);
    int64_t least = name == "keep-checkpoints" ? 1 : 0;
    if (error.empty() && count < least)
      error =
          "'" + std::string(text) + "' is less than " + std::to_string(least);
    if (error.empty())
      (name == "checkpoint-every" ? options.checkpoint_every
       : name == "keep-every"     ? options.keep_every
                                  : options.keep_checkpoints) = count;
    return error;
  }
  int64_t threads;
  std::string error = parseInt(text, threads);
  if (error.empty() && (threads < 1 || threads > INT32_MAX))
    error = "'" + std::string(text) + "' is not a positive thread count";
  if (error.empty())
    options.threads = int32_t(threads);
  return error;
}

} // namespace

Outcome parse(int argc, char **argv, const char *description,
              kiln_hparam *params, size_t numParams, kiln_run_options *options,
              std::string &message) {
  message = checkDeclarations(params, numParams);
  if (!message.empty())
    return Outcome::Error;
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--help") == 0) {
      const char *slash = std::strrchr(argv[0], '/');
      message = helpText(slash ? slash + 1 : argv[0], description, params,
                         numParams, *options);
      return Outcome::Help;
    }
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.size() <= 2 || arg.substr(0, 2) != "--") {
      message = "unexpected argument '" + std::string(arg) + "'";
      return Outcome::Error;
    }
    size_t equals = arg.find('=');
    std::string_view name = arg.substr(2, equals - 2);
    const char *value =
        equals == std::string_view::npos ? nullptr : argv[i] + equals + 1;
    std::string flag = "--" + std::string(name);

    kiln_hparam *param = nullptr;
    const char *option = nullptr;
    for (size_t p = 0; p < numParams && !param; ++p)
      if (sameName(name, params[p].name))
        param = &params[p];
    for (const char *candidate : kRunOptions)
      if (!param && sameName(name, candidate))
        option = candidate;
    if (!param && !option) {
      message = "unknown option '" + flag + "'";
      return Outcome::Error;
    }

    // A bool stands alone for true, or takes a bool literal as its value.
    int32_t *boolOption =
        !option                                     ? nullptr
        : std::strcmp(option, "resume") == 0        ? &options->resume
        : std::strcmp(option, "keep-best-min") == 0 ? &options->keep_best_min
                                                    : nullptr;
    bool isBool =
        option ? boolOption != nullptr : param->type == KILN_HPARAM_BOOL;
    int32_t ignored;
    if (isBool && !value)
      value =
          i + 1 < argc && parseBool(argv[i + 1], ignored) ? argv[++i] : "true";
    if (!value) {
      if (i + 1 == argc || std::strncmp(argv[i + 1], "--", 2) == 0) {
        message = flag + " needs a value";
        return Outcome::Error;
      }
      value = argv[++i];
    }

    std::string error;
    if (param) {
      // A fixed hyper-parameter keeps its compiled value: restating it is
      // fine, changing it needs a rebuild.
      kiln_hparam parsed = *param;
      error = parseValue(parsed, value);
      if (error.empty() && param->fixed && !sameValue(parsed, *param)) {
        message = fixedError(*param, value);
        return Outcome::Error;
      }
      if (error.empty())
        *param = parsed;
    } else if (isBool) {
      error = parseBool(value, *boolOption)
                  ? ""
                  : "'" + std::string(value) + "' is not true, false, 1 or 0";
    } else {
      error = parseRunOption(option, value, *options);
    }
    if (!error.empty()) {
      message = flag + ": " + error;
      return Outcome::Error;
    }
  }
  return Outcome::Run;
}

std::string configJson(const kiln_hparam *params, size_t numParams,
                       const kiln_run_options &options,
                       const char *sourceHash) {
  std::string text = "{\n  \"source_hash\": ";
  json::appendString(text, sourceHash ? sourceHash : "");
  text += ",\n  \"seed\": " + std::to_string(options.seed) +
          ",\n  \"device\": \"" + deviceName(options.device) +
          "\",\n  \"threads\": " + std::to_string(options.threads) +
          ",\n  \"resume\": " + (options.resume ? "true" : "false") +
          ",\n  \"hyperparameters\": {";
  for (size_t i = 0; i < numParams; ++i) {
    text += i ? ",\n    " : "\n    ";
    json::appendString(text, params[i].name);
    text += ": " + valueJson(params[i]);
  }
  text += numParams ? "\n  }\n}\n" : "}\n}\n";
  return text;
}

} // namespace kiln::cli

extern "C" {

int32_t kiln_cli_parse(int argc, char **argv, const char *description,
                       kiln_hparam *params, size_t num_params,
                       kiln_run_options *options) {
  std::string message;
  switch (kiln::cli::parse(argc, argv, description, params, num_params, options,
                           message)) {
  case kiln::cli::Outcome::Run:
    return -1;
  case kiln::cli::Outcome::Help:
    std::fputs(message.c_str(), stdout);
    return 0;
  case kiln::cli::Outcome::Error:
    break;
  }
  const char *program = argc > 0 ? argv[0] : "experiment";
  std::fprintf(stderr, "%s: error: %s (see --help)\n", program,
               message.c_str());
  kiln::setLastError(std::move(message));
  return 2;
}

int32_t kiln_write_config(const char *dir, const kiln_hparam *params,
                          size_t num_params, const kiln_run_options *options,
                          const char *source_hash) {
  std::string text =
      kiln::cli::configJson(params, num_params, *options, source_hash);
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    kiln::setLastError(std::string(dir) + ": " + error.message());
    return -1;
  }
  // Write a temporary file and rename it over config.json: a reader never
  // sees half a file.
  std::string path = (std::filesystem::path(dir) / "config.json").string();
  std::string temporary = path + ".tmp";
  FILE *file = std::fopen(temporary.c_str(), "wb");
  bool written =
      file && std::fwrite(text.data(), 1, text.size(), file) == text.size();
  if (file && std::fclose(file) != 0)
    written = false;
  if (!written || std::rename(temporary.c_str(), path.c_str()) != 0) {
    kiln::setLastError(kiln::systemError(written ? path : temporary));
    std::remove(temporary.c_str());
    return -1;
  }
  return 0;
}

} // extern "C"
