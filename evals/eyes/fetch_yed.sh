#!/usr/bin/env bash
# Fetch a second, independent source of labelled eye photos for the eyes eval. For evaluation and research
# only: never commit the images.
#   yed/Closed, yed/Open : 726 + 726 colour close-ups of one eye each (40–1 625 px, many people, webcam and web
#             photos, some with glasses), closed and open from the same source. This is the eye half of the
#             Kaggle "Drowsiness Dataset" (dheerajperumandla/drowsiness-dataset, also published as
#             serenaraju/yawn-eye-dataset-new), as redistributed in purnenduvashistha/Eye-State-Detection
#             (`originalData/`, commit 4f8af40d). Neither page states a licence: treat it as all rights
#             reserved, use it only to measure, and do not redistribute or ship anything trained on it.
# Usage: evals/eyes/fetch_yed.sh DEST   (then: python evals/eyes/cross_source.py --yed DEST/yed)
set -euo pipefail
dest=${1:?destination folder}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git clone -q --filter=blob:none --sparse https://github.com/purnenduvashistha/Eye-State-Detection "$tmp/r"
git -C "$tmp/r" checkout -q 4f8af40d5861d420710bb97edc5730766d580be0
git -C "$tmp/r" sparse-checkout set originalData
# the files' sha256 sums, sorted by path, hashed once more:
sum=$(cd "$tmp/r/originalData" && find . -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1)
[ "$sum" = 1dd49acb6c3387351efa6e970b12048d1549d65d3519e4680525f20a0c4e706f ] || { echo "checksum mismatch: $sum" >&2; exit 1; }
rm -rf "$dest/yed"
mkdir -p "$dest"
cp -r "$tmp/r/originalData" "$dest/yed"
echo "closed: $(ls "$dest/yed/Closed" | wc -l), open: $(ls "$dest/yed/Open" | wc -l) eye photos in $dest/yed"
