#!/usr/bin/env bash
# Every example must check clean (no errors, no warnings), emit MLIR that
# nnc-opt re-parses and verifies, and print identically after a second trip.
set -u
examples="$1"
tmp="${2:-/tmp}"
status=0
count=0
for f in "$examples"/*.nn; do
  name=$(basename "$f" .nn)
  count=$((count + 1))
  if ! diags=$(nnc check --no-color "$f" 2>&1) || [ -n "$diags" ]; then
    echo "FAIL check $name:"; echo "$diags"; status=1; continue
  fi
  # Files with several models (DCGAN) emit each of them.
  models=$(grep -oE '^model +[A-Za-z_][A-Za-z_0-9]*' "$f" | awk '{print $2}')
  for m in $models; do
    if ! nnc emit "$f" --model "$m" -o "$tmp/$name.$m.mlir"; then
      echo "FAIL emit $name/$m"; status=1; continue
    fi
    if ! nnc-opt "$tmp/$name.$m.mlir" -o "$tmp/$name.$m.1.mlir"; then
      echo "FAIL nnc-opt parse/verify $name/$m"; status=1; continue
    fi
    if ! nnc-opt "$tmp/$name.$m.1.mlir" -o "$tmp/$name.$m.2.mlir" ||
       ! cmp -s "$tmp/$name.$m.1.mlir" "$tmp/$name.$m.2.mlir"; then
      echo "FAIL round trip $name/$m"; status=1; continue
    fi
    grep -q "func.func @$m" "$tmp/$name.$m.1.mlir" || { echo "FAIL no func $name/$m"; status=1; }
  done
done
echo "examples: $count"
[ "$count" -ge 16 ] || { echo "FAIL: fewer than 16 examples"; status=1; }
exit $status
