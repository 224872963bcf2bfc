#!/usr/bin/env bash
# Prints the leaderboard of one protocol as the markdown table in docs/results.md: the teacher
# first, then each model's versions in order.
# Usage: TOKEN=… docs/results-table.sh [protocol-key]   (default: the protocol with the most evaluations)
# API: DISTILLERY_API (default http://127.0.0.1:4000). Needs curl and jq.
set -euo pipefail
api="${DISTILLERY_API:-http://127.0.0.1:4000}"
gql() { jq -n --arg q "$1" --argjson v "${2:-{\}}" '{query: $q, variables: $v}' |
  curl -sf "$api/graphql" -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d @-; }

key="${1:-$(gql '{ protocols { key evaluationCount } }' | jq -r '.data.protocols | max_by(.evaluationCount) | .key')}"
gql 'query($p: String!) { leaderboard(protocol: $p, first: 500) {
       protocol { key samples steps batch threads hardware extractor { ref } }
       rows { version { ref precision model { role } parents { relation recipe version { ref } } }
              fid latencyP50Ms latencyP95Ms throughput peakMemoryBytes params sizeBytes dominated } } }' "{\"p\": \"$key\"}" |
jq -r '.data.leaderboard as $b |
  "protocol \($b.protocol.key[0:12])…: \($b.protocol.samples) samples, DDIM \($b.protocol.steps) steps, batch \($b.protocol.batch), \($b.protocol.threads) threads, \($b.protocol.hardware), extractor \($b.protocol.extractor.ref)\n",
  "| version | role | precision | made from | params | FID | latency p50 / p95 (ms) | images/s | peak RSS (MiB) | size (KiB) | dominated |",
  "| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
  (($b.rows | sort_by(.version.model.role != "TEACHER", (.version.ref | split("@v")[0]), (.version.ref | split("@v")[1] | tonumber)))[] | "| \(.version.ref) | \(.version.model.role) | \(.version.precision) | \([.version.parents[] | if .relation == "QUANTIZED_FROM" then "\(.recipe.method) of \(.version.ref)" else "\(.relation | ascii_downcase) \(.version.ref)" end] | join(", ")) | \(.params) | \(.fid * 100 | round / 100) | \(.latencyP50Ms * 10 | round / 10) / \(.latencyP95Ms * 10 | round / 10) | \(.throughput * 10 | round / 10) | \(.peakMemoryBytes / 1048576 | round) | \(.sizeBytes / 1024 | round) | \(if .dominated then "yes" else "" end) |")'
