#!/usr/bin/env bash
# Builds samples/ecg5000-sample.tar.xz: the archive's README.txt and ECG5000_TRAIN.txt, whole and unmodified.
#   usage: tools/datasets/make-ecg5000-sample.sh <folder the full ecg5000.tar.xz was extracted into>
# The derived binary test file (10 MB of text, ~2.6 MB compressed) does not fit the 0.7 MB budget, and files are
# never cut, so the sample has no 'test' subject; the adapter treats the test file as optional.
set -euo pipefail
src="${1:?usage: $0 <folder holding ecg5000/ (or the ecg5000 folder itself)>}"
[ "$(basename "$src")" = ecg5000 ] && src="$(dirname "$src")"
[ -f "$src/ecg5000/README.txt" ] || { echo "$src/ecg5000/README.txt not found" >&2; exit 1; }
out="$(cd "$(dirname "$0")" && pwd)/samples/ecg5000-sample.tar.xz"
mkdir -p "$(dirname "$out")"
tar -C "$src" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 --mode=a+rX,u+w,go-w -cf - \
  ecg5000/README.txt ecg5000/ECG5000_TRAIN.txt | xz -9e -T1 > "$out"
echo "$(sha256sum "$out" | cut -d' ' -f1) $(stat -c %s "$out") $out"
