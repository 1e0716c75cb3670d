#!/bin/sh
# Runs `npm run mutate` on each given file in turn, one Stryker at a time at
# --concurrency 1, each with its own incremental file (a rerun of one file
# reuses its own results) and keeps each file's JSON report and log:
#   mutation/per-file.sh src/sched/scheduler.ts src/sched/strategies/pct.ts
# -> reports/mutation/files/<path with / as _>.{json,log,incremental.json}
# The last line of each log is the file's wall time in seconds. A group of
# files shares one initial test run: label=file1,file2 (reports under label).
# Another Stryker config (its JSON report path second):
#   STRYKER_CONFIG=mutation/stryker.kernel.mjs STRYKER_REPORT=reports/mutation/kernel/mutation.json mutation/per-file.sh ...
set -u
mkdir -p reports/mutation/files
for f in "$@"; do
  case "$f" in
    *=*) name=${f%%=*}; f=${f#*=} ;;
    *) name=$(echo "$f" | tr / _) ;;
  esac
  out=reports/mutation/files/$name
  start=$(date +%s)
  npm run mutate -- ${STRYKER_CONFIG:-} --mutate "$f" --concurrency 1 --incrementalFile "$out.incremental.json" >"$out.log" 2>&1
  rc=$?
  end=$(date +%s)
  cp "${STRYKER_REPORT:-reports/mutation/mutation.json}" "$out.json" 2>/dev/null
  echo "exit $rc, $((end - start)) s" >>"$out.log"
done
