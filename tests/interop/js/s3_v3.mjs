// @aws-sdk/client-s3 v3 and @aws-sdk/lib-storage on their defaults (request checksums
// "when supported": CRC32 on every PutObject, UploadPart and DeleteObjects) against strata.
// Driven by tests/interop/s3/test_aws_sdk_js.py: reads {endpoint, accessKey, secretKey,
// bucket, scenario} as JSON on stdin and prints what it saw as JSON on stdout.
import {
  S3Client, PutObjectCommand, GetObjectCommand, HeadObjectCommand, CopyObjectCommand,
  ListObjectsV2Command, ListObjectVersionsCommand, DeleteObjectCommand, DeleteObjectsCommand,
  PutBucketVersioningCommand,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { createHash } from "node:crypto";

const input = JSON.parse(await new Promise((ok) => {
  let s = ""; process.stdin.on("data", (d) => (s += d)); process.stdin.on("end", () => ok(s));
}));
const client = new S3Client({
  endpoint: input.endpoint, region: "us-east-1", forcePathStyle: true,
  credentials: { accessKeyId: input.accessKey, secretAccessKey: input.secretKey },
});
const Bucket = input.bucket;
const md5 = (b) => createHash("md5").update(b).digest("hex");
// Deterministic bytes (a SHA-256 stream), so the test can recompute them.
function bytes(n, seed) {
  const out = Buffer.alloc(n);
  let block = Buffer.from(String(seed));
  for (let i = 0; i < n; i += 32) {
    block = createHash("sha256").update(block).digest();
    block.copy(out, i, 0, Math.min(32, n - i));
  }
  return out;
}
const body = async (r) => Buffer.from(await r.Body.transformToByteArray());

const out = {};
if (input.scenario === "basic") {
  const put = await client.send(new PutObjectCommand({ Bucket, Key: "a.txt", Body: "hello v3",
    ContentType: "text/plain", Metadata: { color: "blue" } }));
  out.put = { etag: put.ETag, crc32: put.ChecksumCRC32 };
  const get = await client.send(new GetObjectCommand({ Bucket, Key: "a.txt", ChecksumMode: "ENABLED" }));
  out.get = { body: (await body(get)).toString(), type: get.ContentType, meta: get.Metadata,
    crc32: get.ChecksumCRC32 };
  const range = await client.send(new GetObjectCommand({ Bucket, Key: "a.txt", Range: "bytes=0-4" }));
  out.range = (await body(range)).toString();
  const big = bytes(11 * 1024 * 1024 + 7, 5);
  const up = await new Upload({ client, params: { Bucket, Key: "big.bin", Body: big },
    partSize: 5 * 1024 * 1024, queueSize: 2 }).done();
  out.upload = { etag: up.ETag, md5: md5(big) };
  out.big_same = (await body(await client.send(new GetObjectCommand({ Bucket, Key: "big.bin" })))).equals(big);
  await client.send(new CopyObjectCommand({ Bucket, Key: "copy.txt", CopySource: `${Bucket}/a.txt` }));
  const head = await client.send(new HeadObjectCommand({ Bucket, Key: "copy.txt" }));
  out.copy = { length: head.ContentLength, meta: head.Metadata };
  const list = await client.send(new ListObjectsV2Command({ Bucket }));
  out.keys = list.Contents.map((o) => o.Key);
  const del = await client.send(new DeleteObjectsCommand({ Bucket,
    Delete: { Objects: out.keys.map((Key) => ({ Key })) } }));
  out.deleted = del.Deleted.map((d) => d.Key).sort();
  out.errors = del.Errors ?? [];
} else if (input.scenario === "versions") {
  await client.send(new PutBucketVersioningCommand({ Bucket,
    VersioningConfiguration: { Status: "Enabled" } }));
  const v1 = (await client.send(new PutObjectCommand({ Bucket, Key: "k", Body: "one" }))).VersionId;
  const v2 = (await client.send(new PutObjectCommand({ Bucket, Key: "k", Body: "two" }))).VersionId;
  const marker = await client.send(new DeleteObjectCommand({ Bucket, Key: "k" }));
  out.marker = { deleteMarker: marker.DeleteMarker, id: marker.VersionId };
  try {
    await client.send(new GetObjectCommand({ Bucket, Key: "k" }));
    out.get_after_delete = "found";
  } catch (e) {
    out.get_after_delete = e.name;
  }
  out.old = (await body(await client.send(new GetObjectCommand({ Bucket, Key: "k", VersionId: v1 })))).toString();
  const listed = await client.send(new ListObjectVersionsCommand({ Bucket }));
  out.versions = listed.Versions.map((v) => [v.VersionId, v.IsLatest]);
  out.markers = listed.DeleteMarkers.map((m) => [m.VersionId, m.IsLatest]);
  out.ids = [v1, v2];
  // Restore by removing the marker, then remove v2 for good.
  await client.send(new DeleteObjectCommand({ Bucket, Key: "k", VersionId: marker.VersionId }));
  out.restored = (await body(await client.send(new GetObjectCommand({ Bucket, Key: "k" })))).toString();
  const gone = await client.send(new DeleteObjectsCommand({ Bucket,
    Delete: { Objects: [{ Key: "k", VersionId: v2 }], Quiet: true } }));
  out.quiet = { deleted: gone.Deleted ?? [], errors: gone.Errors ?? [] };
  out.current = (await body(await client.send(new GetObjectCommand({ Bucket, Key: "k" })))).toString();
} else {
  throw new Error(`unknown scenario ${input.scenario}`);
}
process.stdout.write(JSON.stringify(out));
