#!/usr/bin/env bash
# Installs Debian's python3-torch (the PyTorch baselines' only dependency
# besides numpy) if /usr/bin/python3 cannot import torch. Source it or run it.
if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  echo "bench: installing python3-torch (Debian) for the baseline" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq \
    --no-install-recommends python3-torch >/dev/null
fi
