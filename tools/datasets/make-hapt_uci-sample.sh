#!/usr/bin/env bash
# Builds samples/hapt_uci-sample.tar.xz: users 01-03 (all their experiments: exp01-exp06, acc + gyro), plus the
# unmodified README.txt, HAPT_README.txt, activity_labels.txt and RawData/labels.txt (which still lists all 30
# users; the adapter ignores rows without files). user02 is a UCI test volunteer, 01 and 03 train ones.
#   usage: tools/datasets/make-hapt_uci-sample.sh <folder the full hapt_uci.tar.xz was extracted into>
set -euo pipefail
src="${1:?usage: $0 <folder holding hapt_uci/ (or the hapt_uci folder itself)>}"
[ "$(basename "$src")" = hapt_uci ] && src="$(dirname "$src")"
[ -f "$src/hapt_uci/README.txt" ] || { echo "$src/hapt_uci/README.txt not found" >&2; exit 1; }
out="$(cd "$(dirname "$0")" && pwd)/samples/hapt_uci-sample.tar.xz"
files=(hapt_uci/README.txt hapt_uci/HAPT_README.txt hapt_uci/activity_labels.txt hapt_uci/RawData/labels.txt)
for user in 01 02 03; do
  for f in "$src"/hapt_uci/RawData/acc_exp*_user"$user".txt "$src"/hapt_uci/RawData/gyro_exp*_user"$user".txt; do
    files+=("hapt_uci/RawData/$(basename "$f")")
  done
done
mapfile -t files < <(printf '%s\n' "${files[@]}" | LC_ALL=C sort)
mkdir -p "$(dirname "$out")"
tar -C "$src" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 --mode=a+rX,u+w,go-w -cf - "${files[@]}" | xz -9e -T1 > "$out"
echo "$(sha256sum "$out" | cut -d' ' -f1) $(stat -c %s "$out") $out"
