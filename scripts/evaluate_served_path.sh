#!/bin/bash
# Issue 20's protocol through the commands a site runs: fresh training and test cohorts,
# import_cohort, train_model, score_patients, export_scores, then evaluate_model --scores (the
# export's figures as an independent evaluator reads them). Needs an empty PostgreSQL database.
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/relapse_served OUT=/tmp/served \
#     SEEDS="9511 9512 9513" scripts/evaluate_served_path.sh
# The third test cohort uses the `other-clinic` setting. Takes about 7 minutes on 2 cores.
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL to an empty PostgreSQL database}"
OUT=${OUT:-var/served}
read -r TRAIN TEST OTHER <<<"${SEEDS:-9511 9512 9513}"
M=".venv/bin/python manage.py"
mkdir -p "$OUT"
unset REDIS_URL  # Celery tasks in-process
$M migrate -v 0
$M generate_cohort --patients 240 --days 240 --seed "$TRAIN" --team train --end 2026-10-31 --out "$OUT/train.jsonl"
$M generate_cohort --patients 120 --days 240 --seed "$TEST" --team test --end 2026-10-31 --out "$OUT/test-default.jsonl"
$M generate_cohort --patients 120 --days 240 --seed "$OTHER" --team clinic --end 2026-10-31 --setting other-clinic \
  --out "$OUT/test-other.jsonl"
$M import_cohort "$OUT/train.jsonl"
$M train_model --activate --seed 1 --bootstrap 50
$M import_cohort "$OUT/test-default.jsonl"
$M import_cohort "$OUT/test-other.jsonl"
$M score_patients --from 2026-03-06 --to 2026-10-31 --no-alerts
$M export_scores --out "$OUT/scores.csv"
for t in default other; do
  $M evaluate_model --cohort "$OUT/test-$t.jsonl" --scores "$OUT/scores.csv" --bootstrap 200 > "$OUT/eval-$t.json"
  echo "$t: $OUT/eval-$t.json"
done
