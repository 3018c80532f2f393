#!/usr/bin/env bash
# Installs the Debian packages a test stage needs, only when missing: each argument is
# COMMAND:PACKAGE (install PACKAGE unless COMMAND is on the PATH). `apt-get update` runs once, and
# only if something is missing. Needs root (CI machines and these containers are); says what to
# install otherwise.
set -euo pipefail

missing=()
for pair in "$@"; do
  command=${pair%%:*}
  package=${pair#*:}
  command -v "$command" >/dev/null 2>&1 || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${missing[*]} (install them: sudo apt-get install -y ${missing[*]})" >&2
  exit 1
fi
echo "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
