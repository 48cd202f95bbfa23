#!/usr/bin/env bash
# The README's demo: Kafka destroyed from the UI, on the embedded simulated cluster. Kafka was destroyed
# from the DC/OS UI: its scheduler is gone, its framework is still registered with
# three brokers running, and its reservations, volumes and ZooKeeper node stay.
# Run it with `npm run demo` (which builds first).
set -euo pipefail
cd "$(dirname "$0")/.."

workdir=$(mktemp -d)
trap 'kill "$sim_pid" 2>/dev/null || true; kill "${messy_pid:-}" 2>/dev/null || true; rm -rf "$workdir"' EXIT

node scripts/sim.js kafka-ui-destroyed --write-env "$workdir/env" >"$workdir/url" 2>"$workdir/sim.log" &
sim_pid=$!
for _ in $(seq 1 100); do [ -s "$workdir/env" ] && break; sleep 0.1; done
set -a; . "$workdir/env"; set +a
# The demo's runs keep their history in its own folder, not in your ~/.dcos.
export DCOS_JANITOR_HISTORY_DIR="$workdir/history"
janitor() { bin/dcos-janitor janitor "$@"; }

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "Simulated DC/OS cluster (scenario kafka-ui-destroyed) at $DCOS_URL"

say "1. The frameworks that look orphaned: janitor teardown --dry-run (without it, a terminal offers a picker)"
janitor teardown --dry-run

say "2. Tear the Kafka framework down (no Marathon app is left to relaunch it): janitor teardown --service kafka --yes"
janitor teardown --service kafka --yes

say "3. The cleanup plan (dry run), saved for review: janitor cleanup --service kafka --dry-run --out kafka-plan.json"
janitor cleanup --service kafka --dry-run --out "$workdir/kafka-plan.json"

say "4. Apply exactly the reviewed plan (drift would refuse it), then its verification: janitor apply kafka-plan.json --yes"
janitor apply "$workdir/kafka-plan.json" --yes

say "5. Run again: nothing is left, nothing is sent"
janitor cleanup --service kafka --yes

say "6. Inside the cluster, as janitor.py ran: the services at their own addresses, no DCOS_URL (nothing left to do)"
(unset DCOS_URL DCOS_ACS_TOKEN; DCOS_DIR="$workdir/no-cli" bin/dcos-janitor janitor cleanup --service kafka --yes \
  --mesos-url "$DCOS_JANITOR_SIM_MESOS_URL" --marathon-url "$DCOS_JANITOR_SIM_MARATHON_URL" --exhibitor-url "$DCOS_JANITOR_SIM_EXHIBITOR_URL")

say "7. A cluster you inherited (scenario messy-cluster): what is left, whose, and the fix: janitor audit"
node scripts/sim.js messy-cluster --write-env "$workdir/messy-env" >"$workdir/messy-url" 2>"$workdir/messy.log" &
messy_pid=$!
for _ in $(seq 1 100); do [ -s "$workdir/messy-env" ] && break; sleep 0.1; done
set -a; . "$workdir/messy-env"; set +a
janitor audit || true

say "8. Fix what is certainly a leftover and no longer lives, service by service, in a safe order: janitor audit --fix --yes --grace 5"
# Exit 3: --fix leaves to the operator what it cannot prove (owners only likely, a framework whose task still runs).
janitor audit --fix --yes --grace 5 || [ $? -eq 3 ]

say "9. Audit again: what is left is what --fix left to you, each with its command and why"
janitor audit || [ $? -eq 3 ]

say "10. What changed, as the clusters answered: janitor history"
janitor history
