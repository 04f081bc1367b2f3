// The console's bucket settings (lifecycle, policy, ACL) in headless Chromium, and keys that
// look like markup shown as text, never as HTML.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStrata, launch, ACCESS_KEY, SECRET_KEY } from './harness.mjs';

const BUCKET = 'settings-test';
let server;
let browser;
let page;

before(async () => {
  server = await startStrata();
  browser = await launch();
  page = await (await browser.newContext()).newPage();
  page.setDefaultTimeout(20000);
  await page.goto(server.admin + '/');
  await page.fill('#access-key', ACCESS_KEY);
  await page.fill('#secret-key', SECRET_KEY);
  await page.click('#login-submit');
  await page.locator('#buckets').waitFor({ state: 'visible' });
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.stop();
});

async function confirm() {
  await page.locator('#confirm').waitFor({ state: 'visible' });
  await page.click('#confirm-ok');
}

test('lifecycle, policy and ACL are set through the settings view', async () => {
  await page.fill('#new-bucket', BUCKET);
  await page.click('#create-bucket button');
  await page.locator(`#bucket-table tr[data-bucket="${BUCKET}"] a`).click();
  await page.click('#open-settings');
  await page.locator('#settings').waitFor({ state: 'visible' });
  assert.equal(await page.inputValue('#lifecycle-xml'), '');

  const lifecycle = '<LifecycleConfiguration><Rule><ID>expire-tmp</ID><Filter><Prefix>tmp/</Prefix></Filter>'
    + '<Status>Enabled</Status><Expiration><Days>7</Days></Expiration></Rule></LifecycleConfiguration>';
  await page.fill('#lifecycle-xml', lifecycle);
  await page.click('#lifecycle-save');
  await page.locator('#flash', { hasText: 'Lifecycle configuration saved.' }).waitFor();
  assert.match(await page.inputValue('#lifecycle-xml'), /<ID>expire-tmp<\/ID>/);
  // Refused documents are reported, not dropped.
  await page.fill('#lifecycle-xml', '<LifecycleConfiguration><Rule>');
  await page.click('#lifecycle-save');
  await page.locator('#flash.bad', { hasText: 'MalformedXML' }).waitFor();

  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{
      Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*`,
    }],
  });
  await page.fill('#policy-json', policy);
  await page.click('#policy-save');
  await page.locator('#flash', { hasText: 'Bucket policy saved.' }).waitFor();
  assert.match(await page.inputValue('#policy-json'), /s3:GetObject/);
  // The policy is in force on the data port: an anonymous read of a missing key is a 404
  // (the policy lets anyone read), not a 403.
  const anon = await fetch(`${server.data}/${BUCKET}/nothing-here`);
  assert.equal(anon.status, 404);

  await page.click('#policy-delete');
  await confirm();
  await page.locator('#flash', { hasText: 'Bucket policy deleted.' }).waitFor();
  assert.equal(await page.inputValue('#policy-json'), '');
  assert.equal((await fetch(`${server.data}/${BUCKET}/nothing-here`)).status, 403);

  await page.selectOption('#acl-select', 'public-read');
  await page.click('#acl-save');
  await page.locator('#flash', { hasText: 'ACL of settings-test: public-read.' }).waitFor();
  const listed = await fetch(`${server.data}/${BUCKET}?list-type=2`);
  assert.equal(listed.status, 200, 'public-read lets anyone list');

  await page.click('#lifecycle-delete');
  await confirm();
  await page.locator('#flash', { hasText: 'Lifecycle configuration deleted.' }).waitFor();
  assert.equal(await page.inputValue('#lifecycle-xml'), '');
});

test('a key that looks like markup is shown as text', async () => {
  const session = await (await page.request.get(`${server.admin}/api/session`)).json();
  const key = '<img src=x onerror="window.pwned=1">.txt';
  const put = await page.request.put(`${server.admin}/s3/${BUCKET}/${encodeURIComponent(key)}`, {
    headers: { 'X-Strata-CSRF': session.csrf }, data: 'x',
  });
  assert.equal(put.status(), 200);
  await page.click('#to-buckets');
  await page.locator(`#bucket-table tr[data-bucket="${BUCKET}"] a`).click();
  const row = page.locator('#listing tbody tr.object').first();
  await row.waitFor();
  assert.equal(await row.getAttribute('data-key'), key);
  assert.equal(await row.locator('td').first().textContent(), key);
  assert.equal(await page.locator('#listing img').count(), 0);
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  // The object read back on the console's origin is sandboxed.
  const got = await page.request.get(`${server.admin}/s3/${BUCKET}/${encodeURIComponent(key)}`);
  assert.equal(got.headers()['content-security-policy'], "default-src 'none'; sandbox");
});
