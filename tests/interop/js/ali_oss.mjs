// ali-oss (npm) against strata's OSS dialect, path style (`sldEnable`, as for an endpoint
// without the bucket in its host name). Driven by tests/interop/oss/test_ali_oss.py: reads
// {endpoint, accessKey, secretKey, bucket, scenario} as JSON on stdin and prints what it saw
// as JSON on stdout.
import OSS from "ali-oss";
import { createHash } from "node:crypto";

const input = JSON.parse(await new Promise((ok) => {
  let s = ""; process.stdin.on("data", (d) => (s += d)); process.stdin.on("end", () => ok(s));
}));
const client = new OSS({
  accessKeyId: input.accessKey, accessKeySecret: input.secretKey, endpoint: input.endpoint,
  region: "oss-cn-hangzhou", secure: false, sldEnable: true, bucket: input.bucket,
});
const md5 = (b) => createHash("md5").update(b).digest("hex");
function bytes(n, seed) {
  const out = Buffer.alloc(n);
  let block = Buffer.from(String(seed));
  for (let i = 0; i < n; i += 32) {
    block = createHash("sha256").update(block).digest();
    block.copy(out, i, 0, Math.min(32, n - i));
  }
  return out;
}
const failure = async (f) => {
  try { await f(); return null; } catch (e) { return { status: e.status, code: e.code }; }
};

const out = {};
if (input.scenario === "basic") {
  const put = await client.put("dir/a.txt", Buffer.from("hello ali-oss"),
    { headers: { "Content-Type": "text/plain" }, meta: { color: "blue" } });
  out.put = { status: put.res.status, crc64: put.res.headers["x-oss-hash-crc64ecma"] };
  const get = await client.get("dir/a.txt");
  out.get = { body: get.content.toString(), type: get.res.headers["content-type"],
    meta: get.res.headers["x-oss-meta-color"] };
  const range = await client.get("dir/a.txt", { headers: { Range: "bytes=0-4" } });
  out.range = range.content.toString();
  const head = await client.head("dir/a.txt");
  out.head = { status: head.status, meta: head.meta };
  const big = bytes(3 * 1024 * 1024 + 5, 9);
  const mpu = await client.multipartUpload("big.bin", big, { partSize: 1024 * 1024, parallel: 2 });
  out.mpu = { status: mpu.res.status, md5: md5(big) };
  const copy = await client.multipartUploadCopy("copy.bin",
    { sourceKey: "big.bin", sourceBucketName: input.bucket }, { partSize: 1024 * 1024 });
  out.mpu_copy = copy.res.status;
  out.copy_same = Buffer.from((await client.get("copy.bin")).content).equals(big);
  await client.copy("dir/b.txt", "dir/a.txt");
  const listed = await client.listV2({ "max-keys": 100 });
  out.keys = listed.objects.map((o) => o.name);
  const listedDirs = await client.list({ delimiter: "/" });
  out.prefixes = listedDirs.prefixes;
  const multi = await client.deleteMulti(out.keys, { quiet: false });
  out.deleted = multi.deleted.map((d) => d.Key).sort();
  out.missing = await failure(() => client.get("dir/a.txt"));
} else if (input.scenario === "versions") {
  await client.putBucketVersioning(input.bucket, "Enabled");
  const v1 = (await client.put("k", Buffer.from("one"))).res.headers["x-oss-version-id"];
  const v2 = (await client.put("k", Buffer.from("two"))).res.headers["x-oss-version-id"];
  const del = await client.delete("k");
  out.marker = { flag: del.res.headers["x-oss-delete-marker"], id: del.res.headers["x-oss-version-id"] };
  out.missing = await failure(() => client.get("k"));
  out.old = (await client.get("k", { versionId: v1 })).content.toString();
  const versions = await client.getBucketVersions({ "max-keys": 100 });
  out.versions = versions.objects.map((o) => [o.versionId, o.isLatest]);
  out.markers = versions.deleteMarker.map((m) => [m.name, m.versionId]);
  out.ids = [v1, v2];
  await client.delete("k", { versionId: out.marker.id });
  out.restored = (await client.get("k")).content.toString();
  const multi = await client.deleteMulti([{ key: "k", versionId: v2 }], { quiet: false });
  out.multi = multi.deleted.map((d) => [d.Key, d.VersionId]);
  out.current = (await client.get("k")).content.toString();
} else if (input.scenario === "append") {
  const first = await client.append("a.log", Buffer.from("hello"));
  out.first = { status: first.res.status, next: first.nextAppendPosition };
  const second = await client.append("a.log", Buffer.from(" world"),
    { position: first.nextAppendPosition });
  out.second = { status: second.res.status, next: second.nextAppendPosition };
  out.wrong = await failure(() => client.append("a.log", Buffer.from("x"), { position: "3" }));
  const got = await client.get("a.log");
  out.body = got.content.toString();
  out.type = got.res.headers["x-oss-object-type"];
} else {
  throw new Error(`unknown scenario ${input.scenario}`);
}
process.stdout.write(JSON.stringify(out));
