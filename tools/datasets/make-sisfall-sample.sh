#!/usr/bin/env bash
# Rebuilds tools/datasets/samples/sisfall-sample.tar.xz from an extracted copy of the real SisFall archive.
#
#   tools/datasets/make-sisfall-sample.sh /tmp/sisfall-x      # the folder that holds sisfall/ (tar -xJf sisfall.tar.xz -C it)
#
# The sample is a cut of the real archive with files unmodified and the same layout (top folder sisfall/, its
# README.txt and SisFall_Readme.txt). Subjects: SA01, SA02, SE06 (falls + ADL) and SE01 (elderly, ADL only); for each,
# the R01 repetition of every activity code it has. To stay under 3.5 MB the longest trials go first: the 100 s ADLs
# D02-D04 (walking quickly, jogging) everywhere, and D01 (walking slowly, 100 s) of SE01, whose 100 s files are the
# largest (about 1.7 MB of text each); SA01, SA02 and SE06 keep D01 so the sample holds long walking recordings.
# Every fall code F01-F15 is kept.
# The tar flags (fixed format, order, owner, mtime and mode) and single-threaded xz make the output byte-identical
# on every rebuild with the same tool versions (built with GNU tar 1.34, xz 5.4.1).
set -euo pipefail

extracted="${1:?usage: $0 <folder holding the extracted sisfall/ directory>}"
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/samples/sisfall-sample.tar.xz"

cd "$extracted"
test -d sisfall/SA01 || { echo "no sisfall/SA01 under $extracted" >&2; exit 1; }

files=(sisfall/README.txt sisfall/SisFall_Readme.txt)
for subject in SA01 SA02 SE01 SE06; do
  for file in sisfall/"$subject"/[DF][0-9][0-9]_"$subject"_R01.txt; do
    case "$(basename "$file")" in
      D0[2-4]_*) ;;          # 100 s trials: too large for the sample
      D01_SE01_*) ;;         # SE01's 100 s walk is 1.7 MB of text
      *) files+=("$file") ;;
    esac
  done
done

mkdir -p "$(dirname "$out")"
LC_ALL=C tar --format=gnu --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 --mode=a=r,u+w -cf - "${files[@]}" \
  | xz -9e -T1 > "$out"

echo "$out: ${#files[@]} files, $(stat -c %s "$out") bytes, sha256 $(sha256sum "$out" | cut -d' ' -f1)"
