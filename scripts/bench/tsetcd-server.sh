#!/bin/sh
# Stand-in for the etcd binary in shared/bench/etcd-run.sh: takes etcd's flags and execs tsetcd,
# so the PID etcd-run.sh records (and etcdbench samples for CPU/RSS) is the node process itself.
: "${TSETCD_BIN:?set TSETCD_BIN to packages/server/dist/bin.cjs}"
# the same V8 flag the bin's shebang passes (see packages/server/tsup.config.ts)
exec "${TSETCD_NODE:-node}" --max-semi-space-size=32 "$TSETCD_BIN" "$@"
