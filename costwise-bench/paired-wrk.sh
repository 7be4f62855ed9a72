#!/usr/bin/env bash
# Paired wrk runs of one gateway build, to compare builds on the same VM minutes apart (the shared harness's full run
# takes 17 minutes and its VM-to-VM spread is larger than most code changes). Starts COMMAND (which must serve
# OpenAI chat completions on PORT, forwarding to $UPSTREAM_BASE_URL), warms it up 20 s at c=16, then runs ROUNDS x
# (10 s at c=1, 10 s at c=16) and prints wrk's summary line for each. The fake upstream must be running:
#   /work/shared/bench/fake-upstream/start.sh 18080
# usage: costwise-bench/paired-wrk.sh LABEL PORT 'COMMAND'      (ROUNDS=3 by default)
# e.g.:  costwise-bench/paired-wrk.sh head 4000 'cd /work/main && exec ./costwise serve --port 4000'
set -uo pipefail
LABEL=$1; PORT=$2; CMD=$3; ROUNDS=${ROUNDS:-3}
BENCH=${BENCH:-/work/shared/bench}
export UPSTREAM_BASE_URL=http://127.0.0.1:18080/v1 BENCH_BODY_FILE=$BENCH/wrk/chat-body.json
bash -c "$CMD" > "/tmp/paired-$LABEL.log" 2>&1 &
PID=$!
for _ in $(seq 100); do curl -s -o /dev/null "localhost:$PORT/health" && break; sleep 0.3; done
URL=http://127.0.0.1:$PORT/v1/chat/completions
NOCACHE=(-H 'Cache-Control: no-cache')
wrk -t2 -c16 -d20s -s "$BENCH/wrk/chat.lua" "${NOCACHE[@]}" "$URL" > /dev/null
for _ in $(seq "$ROUNDS"); do
  echo -n "$LABEL c1  "; wrk -t1 -c1 -d10s -s "$BENCH/wrk/chat.lua" "${NOCACHE[@]}" "$URL" | grep RESULT | sed 's/err_.*//'
  echo -n "$LABEL c16 "; wrk -t2 -c16 -d10s -s "$BENCH/wrk/chat.lua" "${NOCACHE[@]}" "$URL" | grep RESULT | sed 's/err_.*//'
done
kill "$PID" 2>/dev/null; pkill -f -- "--port $PORT"; wait 2>/dev/null
