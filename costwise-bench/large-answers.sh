#!/usr/bin/env bash
# Large answers under the launcher's heap: how many concurrent requests for one large answer a gateway started by
# `./costwise serve` (96 MB heap, -XX:+ExitOnOutOfMemoryError) survives, and its peak RSS (VmHWM).
#
#   costwise-bench/large-answers.sh [--root REPO] [--inputs N] [--redis] KIND:CONCURRENCY...
#
# KIND is hit (POST /v1/embeddings answered from the cache), chat-hit (a long chat answer from the cache), stream-hit
# (the same answer streamed from the cache), messages-hit and responses-hit (the same answer from the cache through
# /v1/messages and /v1/responses, store: false) or miss (every request to the upstream, Cache-Control: no-cache). Each
# KIND:CONCURRENCY runs on a fresh gateway: one warm-up request (it fills the cache), then CONCURRENCY identical
# requests at once. The upstream is a small Python fake of OpenAI answering N embeddings of 1536 floats (N=500:
# 7.2 MB; the chat answer is about as long). --redis shares the cache through a redis-server it starts.
# Ports: $LARGE_PORT_BASE (default 20780) and the three after it. Needs python3 (and redis-server for --redis).
# The gateway is REPO's (default: this script's repository), built first if its sources changed (as ./costwise does).
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
INPUTS=500
REDIS=0
RUNS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --root) ROOT="$(cd "$2" && pwd)"; shift 2 ;;
    --inputs) INPUTS="$2"; shift 2 ;;
    --redis) REDIS=1; shift ;;
    *:*) RUNS+=("$1"); shift ;;
    *) echo "usage: $0 [--root REPO] [--inputs N] [--redis] KIND:CONCURRENCY..." >&2; exit 2 ;;
  esac
done
[ ${#RUNS[@]} -gt 0 ] || { echo "name at least one KIND:CONCURRENCY, e.g. hit:16" >&2; exit 2; }
BASE="${LARGE_PORT_BASE:-20780}"
UPSTREAM=$BASE GATEWAY=$((BASE + 1)) REDIS_PORT=$((BASE + 2))
WORK="$(mktemp -d)"
PIDS=()
GW=""
cleanup() {
  for p in "${PIDS[@]}" $GW; do kill "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

cat > "$WORK/upstream.py" <<'PY'
# An OpenAI fake: N embeddings of 1536 floats for /v1/embeddings, a chat answer about as long otherwise.
import json, random, sys
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
port, n = int(sys.argv[1]), int(sys.argv[2])
random.seed(1)
data = [{"object": "embedding", "index": i, "embedding": [round(random.uniform(-1, 1), 5) for _ in range(1536)]}
        for i in range(n)]
EMB = json.dumps({"object": "list", "data": data, "model": "text-embedding-3-small",
                  "usage": {"prompt_tokens": 5 * n, "total_tokens": 5 * n}}).encode()
text = " ".join("word%d" % (i % 1000) for i in range(len(EMB) // 8))
CHAT = json.dumps({"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-4o-mini",
                   "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                "finish_reason": "stop"}],
                   "usage": {"prompt_tokens": 10, "completion_tokens": len(text) // 4,
                             "total_tokens": 10 + len(text) // 4}}).encode()
print("embeddings answer %d bytes, chat answer %d bytes" % (len(EMB), len(CHAT)), flush=True)
class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args): pass
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = EMB if self.path.endswith("/embeddings") else CHAT
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
PY

cat > "$WORK/client.py" <<'PY'
# One warm-up request, then C identical ones at once; prints "ok/C statuses".
import json, sys, threading, urllib.request
port, kind, c = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
chat = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "a long answer"}]}
url, body = {"hit": ("/v1/embeddings", {"model": "text-embedding-3-small",
                                         "input": ["text %d" % i for i in range(500)]}),
             "miss": ("/v1/embeddings", {"model": "text-embedding-3-small", "input": ["text"]}),
             "chat-hit": ("/v1/chat/completions", chat),
             "stream-hit": ("/v1/chat/completions", dict(chat, stream=True)),
             "messages-hit": ("/v1/messages", dict(chat, max_tokens=4096)),
             "responses-hit": ("/v1/responses", {"model": "gpt-4o-mini", "input": "a long answer",
                                                 "store": False})}[kind]
headers = {"Content-Type": "application/json"}
if kind == "miss":
    headers["Cache-Control"] = "no-cache"
def one(out, i, payload):
    try:
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, url), data=payload, headers=headers)
        with urllib.request.urlopen(req, timeout=300) as r:
            out[i] = "%d %s" % (r.status, r.headers.get("x-costwise-cache"))
            r.read()
    except Exception as e:
        out[i] = type(e).__name__
warm = dict(body); warm.pop("stream", None)  # a streamed hit is filled by the same request, whole
one([None], 0, json.dumps(warm).encode())
res = [None] * c
threads = [threading.Thread(target=one, args=(res, i, json.dumps(body).encode())) for i in range(c)]
[t.start() for t in threads]
[t.join() for t in threads]
print("%d/%d %s" % (sum(1 for r in res if r.startswith("200")), c, ",".join(sorted(set(res)))))
PY

python3 "$WORK/upstream.py" "$UPSTREAM" "$INPUTS" > "$WORK/upstream.log" 2>&1 &
PIDS+=($!)
if [ "$REDIS" = 1 ]; then
  redis-server --port "$REDIS_PORT" --save "" --appendonly no > "$WORK/redis.log" 2>&1 &
  PIDS+=($!)
fi
for _ in $(seq 120); do grep -q "bytes" "$WORK/upstream.log" && break; sleep 0.5; done
echo "# $(cat "$WORK/upstream.log"); gateway: $ROOT ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'))"

{
  echo "server: {host: 127.0.0.1, port: $GATEWAY}"
  echo "ledger: {url: \"jdbc:sqlite:$WORK/ledger.db\"}"
  [ "$REDIS" = 1 ] && echo "redis: {url: \"redis://127.0.0.1:$REDIS_PORT\", max_entry_size: 32MB}"
  echo "models:"
  for m in text-embedding-3-small gpt-4o-mini; do
    echo "  - {name: $m, provider: openai, base_url: \"http://127.0.0.1:$UPSTREAM/v1\", api_key_env: LARGE_FAKE_KEY}"
  done
} > "$WORK/costwise.yaml"

printf '%-11s %5s  %-8s %8s  %s\n' kind c gateway "peak RSS" answers
for run in "${RUNS[@]}"; do
  kind="${run%%:*}" c="${run##*:}"
  [ "$REDIS" = 1 ] && redis-cli -p "$REDIS_PORT" flushall > /dev/null
  rm -f "$WORK"/ledger.db*
  LARGE_FAKE_KEY=sk-fake COSTWISE_CDS=off "$ROOT/costwise" serve --config "$WORK/costwise.yaml" \
      > "$WORK/gateway.log" 2>&1 &
  gw=$!
  GW=$gw
  for _ in $(seq 600); do curl -fs "http://127.0.0.1:$GATEWAY/health" > /dev/null 2>&1 && break; sleep 0.5; done
  answers="$(python3 "$WORK/client.py" "$GATEWAY" "$kind" "$c")"
  sleep 1
  peak="$(awk '/VmHWM/ {printf "%d MB", $2 / 1024}' "/proc/$gw/status" 2>/dev/null || echo "-")"
  state=alive
  if ! kill -0 "$gw" 2>/dev/null || grep -q OutOfMemoryError "$WORK/gateway.log"; then state=OOM; fi
  printf '%-11s %5s  %-8s %8s  %s\n' "$kind" "$c" "$state" "$peak" "$answers"
  kill "$gw" 2>/dev/null || true
  wait "$gw" 2>/dev/null || true
  GW=""
done
