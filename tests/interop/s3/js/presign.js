#!/usr/bin/env node
// Presigns S3 requests with aws-sdk (JavaScript v2) for tests/interop/s3/test_sigv2.py.
//
// stdin: {"endpoint": "http://127.0.0.1:PORT", "ak": "...", "sk": "...",
//         "urls": [{"op": "getObject", "params": {"Bucket": "...", "Key": "...", "Expires": 300}}]}
// stdout: one JSON array of the URLs `S3.getSignedUrl(op, params)` returns, in order. The
// client is configured as for an S3-compatible endpoint (path style, us-east-1) and leaves
// the signature version to the SDK, whose default for presigned URLs is Signature V2.
'use strict';

const AWS = require('aws-sdk');

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const doc = JSON.parse(input);
  const s3 = new AWS.S3({
    endpoint: doc.endpoint,
    accessKeyId: doc.ak,
    secretAccessKey: doc.sk,
    region: 'us-east-1',
    s3ForcePathStyle: true,
    sslEnabled: false,
  });
  const urls = doc.urls.map((u) => s3.getSignedUrl(u.op, u.params));
  process.stdout.write(JSON.stringify(urls));
});
