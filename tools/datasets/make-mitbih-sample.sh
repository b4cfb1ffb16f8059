#!/usr/bin/env bash
# Builds samples/mitbih-sample.tar.xz: four whole, unmodified MIT-BIH records cut from the full archive.
#   usage: tools/datasets/make-mitbih-sample.sh <folder the full mitbih.tar.xz was extracted into>
# Records: 201, 223 (DS1) and 100, 200 (DS2) -- both halves of the ds1-ds2 split then hold N, S, V and F beats,
# and 100 has a published beat count (2,273) to test against. About 0.9 MB each compressed; a fifth would break
# the 4.5 MB budget. RECORDS is left out on purpose: it lists all 48, and the adapter falls back to the *.hea files
# present. SHA256SUMS.txt (PhysioNet's list) stays in, so tests can prove the sample files are unmodified.
set -euo pipefail
src="${1:?usage: $0 <folder holding mitbih/ (or the mitbih folder itself)>}"
[ "$(basename "$src")" = mitbih ] && src="$(dirname "$src")"
[ -f "$src/mitbih/README.txt" ] || { echo "$src/mitbih/README.txt not found" >&2; exit 1; }
out="$(cd "$(dirname "$0")" && pwd)/samples/mitbih-sample.tar.xz"
files=(mitbih/README.txt mitbih/ANNOTATORS mitbih/SHA256SUMS.txt)
for record in 100 200 201 223; do files+=("mitbih/$record.hea" "mitbih/$record.dat" "mitbih/$record.atr"); done
mapfile -t files < <(printf '%s\n' "${files[@]}" | LC_ALL=C sort)
mkdir -p "$(dirname "$out")"
tar -C "$src" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 --mode=a+rX,u+w,go-w -cf - "${files[@]}" | xz -9e -T1 > "$out"
echo "$(sha256sum "$out" | cut -d' ' -f1) $(stat -c %s "$out") $out"
