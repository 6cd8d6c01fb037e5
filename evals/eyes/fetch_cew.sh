#!/usr/bin/env bash
# Fetch the labelled eye photos the eyes eval uses. They are for research use only: never commit them.
#   closed/ : 1 192 face crops with both eyes closed, from Closed Eyes In The Wild (CEW; F. Song, X. Tan,
#             X. Liu, S. Chen, Pattern Recognition 2014), as redistributed in jesusmartinoza/Open-eyes-using-Pix2Pix
#   open/   : 6 724 200×200 face crops with open eyes (UTKFace, Zhang, Song & Qi; non-commercial research),
#             from the same repository's regular_faces/
# Usage: evals/eyes/fetch_cew.sh DEST   (then: python evals/eyes/run.py --closed DEST/closed --open DEST/open)
set -euo pipefail
dest=${1:?destination folder}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git clone -q --depth 1 --filter=blob:none --sparse https://github.com/jesusmartinoza/Open-eyes-using-Pix2Pix "$tmp/r"
git -C "$tmp/r" sparse-checkout set closed_eyes_dataset regular_faces
mkdir -p "$dest"
rm -rf "$dest/closed" "$dest/open"
cp -r "$tmp/r/closed_eyes_dataset" "$dest/closed"
cp -r "$tmp/r/regular_faces" "$dest/open"
echo "closed: $(ls "$dest/closed" | wc -l) files, open: $(ls "$dest/open" | wc -l) files in $dest"
