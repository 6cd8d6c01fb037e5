#!/usr/bin/env bash
# Fetch the labelled eye photos the eyes eval uses. They are for research use only: never commit them.
#   closed/ : 1 192 face crops with both eyes closed, from Closed Eyes In The Wild (CEW; F. Song, X. Tan,
#             X. Liu, S. Chen, Pattern Recognition 2014), as redistributed in jesusmartinoza/Open-eyes-using-Pix2Pix
#   open/   : 6 724 200×200 face crops with open eyes (UTKFace, Zhang, Song & Qi; non-commercial research),
#             from the same repository's regular_faces/
#   dataset_B_Eye_Images/ : CEW's own 24×24 eye patches (closed: 1 192 × 2 from CEW's closed-eye photos; open:
#             1 231 × 2 from LFW faces), as redistributed in altaga/DBSE-monitor (its MIT licence covers that
#             repository's code, not this data; CEW is for research use and asks to cite Song et al. 2014)
# Usage: evals/eyes/fetch_cew.sh DEST   (then: python evals/eyes/run.py --closed DEST/closed --open DEST/open;
#        python evals/eyes/detect_patch.py --patches DEST/dataset_B_Eye_Images --closed DEST/closed --open DEST/open)
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
git clone -q --depth 1 --filter=blob:none --sparse https://github.com/altaga/DBSE-monitor "$tmp/p"
git -C "$tmp/p" sparse-checkout set --no-cone Drowsiness/train/dataset/dataset_B_Eye_Images.zip
zip="$tmp/p/Drowsiness/train/dataset/dataset_B_Eye_Images.zip"
echo "ddb4a3f96b123931a72a37be54db9b071bfaa8d97608ef083745665d3819877a  $zip" | sha256sum -c --quiet
rm -rf "$dest/dataset_B_Eye_Images"
python3 -c "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])" "$zip" "$dest"
echo "closed: $(ls "$dest/closed" | wc -l) files, open: $(ls "$dest/open" | wc -l) files," \
  "eye patches: $(find "$dest/dataset_B_Eye_Images" -name '*.jpg' | wc -l) in $dest"
