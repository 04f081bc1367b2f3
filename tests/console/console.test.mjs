// The web console in headless Chromium against a real server: sign in, a versioned bucket,
// uploads (one small, one multipart) with progress, "show versions", delete, undelete,
// permanent delete, download of a version, restore of a prefix to a time (preview, then
// run), versioning changed, paging, sign-out.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { startStrata, launch, nextSecond, ACCESS_KEY, SECRET_KEY } from './harness.mjs';

const BUCKET = 'console-test';
let server;
let browser;
let page;

before(async () => {
  server = await startStrata();
  browser = await launch();
  const context = await browser.newContext({ timezoneId: 'UTC', acceptDownloads: true });
  page = await context.newPage();
  page.setDefaultTimeout(20000);
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.stop();
});

/** Clicks OK in the confirm dialog. */
async function confirm() {
  await page.locator('#confirm').waitFor({ state: 'visible' });
  await page.click('#confirm-ok');
}

/** What the server holds at a key now (through the console's own S3 path). */
async function read(key) {
  const r = await page.request.get(`${server.admin}/s3/${BUCKET}/${key}`);
  return { status: r.status(), body: await r.body(), headers: r.headers() };
}

async function csrf() {
  const r = await page.request.get(`${server.admin}/api/session`);
  return (await r.json()).csrf;
}

/** A row of the listing. */
function row(selector) {
  return page.locator(`#listing tbody tr${selector}`);
}

async function openPrefix(prefix) {
  await page.locator('#listing a.prefix-link', { hasText: prefix }).click();
  await page.locator('#crumbs', { hasText: prefix.replace(/\/$/, '') }).waitFor();
}

test('the console end to end', async () => {
  await page.goto(server.admin + '/');
  await page.locator('#login').waitFor({ state: 'visible' });

  // A wrong secret is refused, and says nothing of which half.
  await page.fill('#access-key', ACCESS_KEY);
  await page.fill('#secret-key', 'wrong');
  await page.click('#login-submit');
  await page.locator('#login-error', { hasText: 'the access key or secret key is wrong' }).waitFor();

  await page.fill('#secret-key', SECRET_KEY);
  await page.click('#login-submit');
  await page.locator('#buckets').waitFor({ state: 'visible' });
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === 'strata_console');
  assert.ok(session, 'a session cookie');
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Strict');

  // A versioned bucket.
  await page.fill('#new-bucket', BUCKET);
  await page.click('#create-bucket button');
  await page.locator(`#bucket-table tr[data-bucket="${BUCKET}"]`).waitFor();
  await page.locator(`#bucket-table tr[data-bucket="${BUCKET}"] a`).click();
  await page.locator('#browser').waitFor({ state: 'visible' });
  await page.click('#open-settings');
  await page.locator('#settings').waitFor({ state: 'visible' });
  await page.selectOption('#versioning-select', 'Enabled');
  await page.click('#versioning-save');
  await page.locator('#versioning-now', { hasText: 'Enabled' }).waitFor();
  await page.click('#settings-back');

  // Keys under a prefix, written through /s3/ with the session's cookie and CSRF token.
  const token = await csrf();
  for (const [key, body] of [['docs/readme.txt', 'readme v1'], ['docs/notes.txt', 'notes v1']]) {
    const r = await page.request.put(`${server.admin}/s3/${BUCKET}/${key}`, {
      headers: { 'X-Strata-CSRF': token }, data: body,
    });
    assert.equal(r.status(), 200, await r.text());
  }
  // Without the token, a write is refused.
  const refused = await page.request.put(`${server.admin}/s3/${BUCKET}/docs/x`, { data: 'x' });
  assert.equal(refused.status(), 403);

  await page.click('#refresh');
  await openPrefix('docs/');
  await row('[data-key="docs/readme.txt"]').waitFor();
  await row('[data-key="docs/notes.txt"]').waitFor();

  // Uploads: a small file in one PUT, 20 MiB in three parts, each with progress.
  const big = crypto.randomBytes(20 * 1024 * 1024);
  await page.setInputFiles('#upload-file', [
    { name: 'small.txt', mimeType: 'text/plain', buffer: Buffer.from('small file') },
    { name: 'big.bin', mimeType: 'application/octet-stream', buffer: big },
  ]);
  await page.click('#upload-button');
  const smallRow = page.locator('#uploads .upload[data-name="small.txt"]');
  const bigRow = page.locator('#uploads .upload[data-name="big.bin"]');
  await smallRow.and(page.locator('[data-state="done"]')).waitFor({ timeout: 60000 });
  await bigRow.and(page.locator('[data-state="done"]')).waitFor({ timeout: 90000 });
  const updates = Number(await bigRow.getAttribute('data-updates'));
  assert.ok(updates >= 3, `progress shown for each part (${updates} updates)`);
  const bar = bigRow.locator('progress');
  assert.equal(await bar.evaluate((b) => b.value), big.length);
  assert.equal(await bar.evaluate((b) => b.max), big.length);
  const bigNow = await read('docs/big.bin');
  assert.match(bigNow.headers.etag, /-3"$/, 'a multipart object of three parts');
  assert.ok(Buffer.compare(bigNow.body, big) === 0);
  await row('[data-key="docs/small.txt"]').waitFor();

  // Permanent delete of a version: small.txt's only version goes, and the key with it.
  await page.check('#show-versions');
  await row('.version[data-key="docs/small.txt"]').waitFor();
  await row('[data-key="docs/small.txt"] button.delete-version').click();
  await confirm();
  await row('[data-key="docs/small.txt"]').waitFor({ state: 'detached' });
  assert.equal((await read('docs/small.txt')).status, 404);

  // The time to restore to; what follows is in later seconds.
  await nextSecond();
  const asOf = new Date(Math.floor(Date.now() / 1000) * 1000);
  await nextSecond();

  // Overwrite readme, delete notes (a marker).
  await page.uncheck('#show-versions');
  await page.setInputFiles('#upload-file', [
    { name: 'readme.txt', mimeType: 'text/plain', buffer: Buffer.from('readme v2') },
  ]);
  await page.click('#upload-button');
  await page.locator('#uploads .upload[data-name="readme.txt"][data-state="done"]').waitFor();
  await row('[data-key="docs/notes.txt"] button.delete').click();
  await confirm();
  await row('[data-key="docs/notes.txt"]').waitFor({ state: 'detached' });
  assert.equal((await read('docs/notes.txt')).status, 404);

  // Show versions: every version and marker, newest first within a key.
  await page.check('#show-versions');
  const readme = row('.version[data-key="docs/readme.txt"]');
  await readme.nth(1).waitFor();
  assert.equal(await readme.count(), 2);
  assert.equal(await readme.nth(0).getAttribute('data-latest'), 'true');
  assert.equal(await readme.nth(1).getAttribute('data-latest'), 'false');
  const notes = row('.version[data-key="docs/notes.txt"]');
  assert.equal(await notes.count(), 2);
  assert.equal(await notes.nth(0).getAttribute('data-marker'), 'true');
  assert.equal(await notes.nth(0).getAttribute('data-latest'), 'true');

  // Download the earlier version of readme.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    readme.nth(1).locator('a.download').click(),
  ]);
  assert.equal(fs.readFileSync(await download.path()).toString(), 'readme v1');
  assert.equal(download.suggestedFilename(), 'readme.txt');

  // Undelete notes (its marker removed), then delete it again.
  await notes.nth(0).locator('button.undelete').click();
  await confirm();
  await row('.version[data-key="docs/notes.txt"][data-marker="true"]').waitFor({ state: 'detached' });
  assert.equal((await read('docs/notes.txt')).body.toString(), 'notes v1');
  await page.uncheck('#show-versions');
  await row('[data-key="docs/notes.txt"] button.delete').click();
  await confirm();
  await row('[data-key="docs/notes.txt"]').waitFor({ state: 'detached' });

  // Restore docs/ to the time: preview the plan, then run it.
  await page.click('#open-restore');
  await page.locator('#restore').waitFor({ state: 'visible' });
  assert.equal(await page.inputValue('#restore-prefix'), 'docs/');
  await page.fill('#restore-time', asOf.toISOString().slice(0, 19));
  await page.click('#restore-preview');
  const plan = (key) => page.locator(`#restore-plan tr[data-key="${key}"]`);
  await plan('docs/readme.txt').waitFor();
  assert.equal(await plan('docs/readme.txt').getAttribute('data-action'), 'copy');
  assert.equal(await plan('docs/notes.txt').getAttribute('data-action'), 'undelete');
  assert.equal(await plan('docs/big.bin').getAttribute('data-action'), 'unchanged');
  // Still the changed state: a preview changes nothing.
  assert.equal((await read('docs/readme.txt')).body.toString(), 'readme v2');
  await page.click('#restore-run');
  await confirm();
  await page.locator('#restore-plan tr[data-key="docs/readme.txt"][data-result="done"]').waitFor();
  assert.equal(await plan('docs/notes.txt').getAttribute('data-result'), 'done');
  assert.equal((await read('docs/readme.txt')).body.toString(), 'readme v1');
  assert.equal((await read('docs/notes.txt')).body.toString(), 'notes v1');
  assert.equal(Buffer.compare((await read('docs/big.bin')).body, big), 0);

  // The browser shows the keys of the earlier state.
  await page.click('#restore-back');
  await page.uncheck('#show-versions');
  await row('[data-key="docs/notes.txt"]').waitFor();
  const keys = await page.locator('#listing tbody tr.object').evaluateAll(
    (rows) => rows.map((r) => r.dataset.key),
  );
  assert.deepEqual(keys.sort(), ['docs/big.bin', 'docs/notes.txt', 'docs/readme.txt']);

  // Versioning suspended.
  await page.click('#open-settings');
  await page.selectOption('#versioning-select', 'Suspended');
  await page.click('#versioning-save');
  await page.locator('#versioning-now', { hasText: 'Suspended' }).waitFor();

  // Paging: two keys a page.
  await page.goto(server.admin + '/?page-size=2');
  await page.locator(`#bucket-table tr[data-bucket="${BUCKET}"] a`).click();
  await openPrefix('docs/');
  await page.locator('#next-page').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#listing tbody tr.object').count(), 2);
  await page.click('#next-page');
  await page.locator('#first-page').waitFor({ state: 'visible' });
  await page.locator('#next-page').waitFor({ state: 'hidden' });
  assert.deepEqual(
    await page.locator('#listing tbody tr.object').evaluateAll((rows) => rows.map((r) => r.dataset.key)),
    ['docs/readme.txt'],
  );

  // Sign out: the session is gone.
  await page.click('#logout');
  await page.locator('#login').waitFor({ state: 'visible' });
  assert.equal((await page.request.get(`${server.admin}/api/session`)).status(), 401);
});
