// A bucket's settings, each through its S3 sub-resource: versioning, lifecycle (the XML
// document), the canned ACL, and the bucket policy (JSON).

import { s3, s3Xml, s3Url, textOf, sha256Base64, ApiError, flash, clearFlash, confirmDialog } from './s3.js';

export class Settings {
  constructor(ctx) {
    this.ctx = ctx;
    this.bucket = '';
    const on = (id, f) => document.getElementById(id).addEventListener('click', () => f.call(this));
    on('settings-back', () => ctx.browser.back());
    on('versioning-save', this.saveVersioning);
    on('lifecycle-save', this.saveLifecycle);
    on('lifecycle-delete', this.deleteLifecycle);
    on('acl-save', this.saveAcl);
    on('policy-save', this.savePolicy);
    on('policy-delete', this.deletePolicy);
  }

  async open(bucket) {
    clearFlash();
    this.bucket = bucket;
    document.getElementById('settings-bucket').textContent = bucket;
    this.ctx.show('settings');
    await Promise.all([this.loadVersioning(), this.loadLifecycle(), this.loadPolicy()]);
  }

  async loadVersioning() {
    try {
      const root = await s3Xml('GET', s3Url(this.bucket, null, 'versioning'));
      const status = textOf(root, 'Status');
      document.getElementById('versioning-now').textContent = status || 'never enabled';
      if (status) document.getElementById('versioning-select').value = status;
    } catch (e) {
      this.ctx.fail(e);
    }
  }

  async saveVersioning() {
    const status = document.getElementById('versioning-select').value;
    const body = `<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>${status === 'Enabled' ? 'Enabled' : 'Suspended'}</Status></VersioningConfiguration>`;
    try {
      await s3('PUT', s3Url(this.bucket, null, 'versioning'), { body, headers: { 'Content-Type': 'application/xml' } });
      await this.loadVersioning();
      flash(`Versioning of ${this.bucket}: ${status}.`);
    } catch (e) {
      this.ctx.fail(e);
    }
  }

  /** Loads a document; a "no such configuration" answer is an empty one. */
  async loadText(subresource, id, missing) {
    const area = document.getElementById(id);
    try {
      const resp = await s3('GET', s3Url(this.bucket, null, subresource));
      area.value = await resp.text();
    } catch (e) {
      if (e instanceof ApiError && e.code === missing) area.value = '';
      else this.ctx.fail(e);
    }
  }

  loadLifecycle() {
    return this.loadText('lifecycle', 'lifecycle-xml', 'NoSuchLifecycleConfiguration');
  }

  loadPolicy() {
    return this.loadText('policy', 'policy-json', 'NoSuchBucketPolicy');
  }

  async saveLifecycle() {
    const body = document.getElementById('lifecycle-xml').value;
    try {
      // S3 requires a digest of a lifecycle document.
      const headers = {
        'Content-Type': 'application/xml',
        'x-amz-checksum-sha256': await sha256Base64(body),
        'x-amz-sdk-checksum-algorithm': 'SHA256',
      };
      await s3('PUT', s3Url(this.bucket, null, 'lifecycle'), { body, headers });
      await this.loadLifecycle();
      flash('Lifecycle configuration saved.');
    } catch (e) {
      this.ctx.fail(e);
    }
  }

  async deleteLifecycle() {
    if (!(await confirmDialog(`Delete the lifecycle configuration of ${this.bucket}?`))) return;
    try {
      await s3('DELETE', s3Url(this.bucket, null, 'lifecycle'));
      await this.loadLifecycle();
      flash('Lifecycle configuration deleted.');
    } catch (e) {
      this.ctx.fail(e);
    }
  }

  async saveAcl() {
    const acl = document.getElementById('acl-select').value;
    try {
      await s3('PUT', s3Url(this.bucket, null, 'acl'), { headers: { 'x-amz-acl': acl } });
      flash(`ACL of ${this.bucket}: ${acl}.`);
    } catch (e) {
      this.ctx.fail(e);
    }
  }

  async savePolicy() {
    const body = document.getElementById('policy-json').value;
    try {
      await s3('PUT', s3Url(this.bucket, null, 'policy'), { body, headers: { 'Content-Type': 'application/json' } });
      await this.loadPolicy();
      flash('Bucket policy saved.');
    } catch (e) {
      this.ctx.fail(e);
    }
  }

  async deletePolicy() {
    if (!(await confirmDialog(`Delete the bucket policy of ${this.bucket}?`))) return;
    try {
      await s3('DELETE', s3Url(this.bucket, null, 'policy'));
      await this.loadPolicy();
      flash('Bucket policy deleted.');
    } catch (e) {
      this.ctx.fail(e);
    }
  }
}
