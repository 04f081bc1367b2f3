#!/usr/bin/env node
// Drives @baiducloud/sdk (BosClient) for the BOS interop tests (tests/interop/bos/support.py).
//
// stdin: {"endpoint": "http://127.0.0.1:PORT", "ak": "...", "sk": "...",
//         "steps": [{"op": "<BosClient method>", "args": [...]}, ...]}
// Arguments of the form {"$b64": "<base64>"} become Buffers. The steps run in order, each
// through the SDK's own request building, signing and response parsing.
// stdout: one JSON array, one entry per step:
//   {"ok": true,  "headers": {...}, "body": <parsed JSON body> | {"$b64": "..."} | "<string>"}
//   {"ok": false, "status": 404, "code": "NoSuchKey", "message": "...", "requestId": "..."}
// A failing step does not stop the later ones. The process exits 0 unless its input is bad.
'use strict';

const {BosClient} = require('@baiducloud/sdk');

function decodeArg(a) {
  if (Array.isArray(a)) {
    return a.map(decodeArg);
  }
  if (a && typeof a === 'object') {
    if (typeof a.$b64 === 'string') {
      return Buffer.from(a.$b64, 'base64');
    }
    const out = {};
    for (const [k, v] of Object.entries(a)) {
      out[k] = decodeArg(v);
    }
    return out;
  }
  return a;
}

function encodeBody(body) {
  if (Buffer.isBuffer(body)) {
    return {$b64: body.toString('base64')};
  }
  return body;
}

async function runStep(client, step) {
  const fn = client[step.op];
  if (typeof fn !== 'function') {
    return {ok: false, status: null, code: 'NoSuchSdkMethod', message: `BosClient has no ${step.op}`};
  }
  try {
    const result = fn.apply(client, decodeArg(step.args || []));
    // generatePresignedUrl and generateUrl return a string, the others a promise.
    if (typeof result === 'string') {
      return {ok: true, headers: {}, body: result};
    }
    const r = await result;
    return {ok: true, headers: r.http_headers || {}, body: encodeBody(r.body)};
  } catch (e) {
    if (e && typeof e === 'object' && 'status_code' in e) {
      return {
        ok: false,
        status: e.status_code,
        code: e.code || null,
        message: typeof e.message === 'string' ? e.message : JSON.stringify(e.message),
        requestId: e.request_id || null,
      };
    }
    return {ok: false, status: null, code: 'ClientError', message: String(e && e.stack ? e.stack : e)};
  }
}

async function main() {
  const chunks = [];
  for await (const c of process.stdin) {
    chunks.push(c);
  }
  const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const client = new BosClient({
    endpoint: input.endpoint,
    credentials: {ak: input.ak, sk: input.sk},
  });
  const results = [];
  for (const step of input.steps) {
    results.push(await runStep(client, step));
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + '\n');
  process.exit(2);
});
