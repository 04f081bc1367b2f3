// The prefix browser of one bucket: a page of keys and common prefixes at a time ("/" as the
// delimiter), or with "show versions", every version and delete marker of each key, newest
// first. Download, delete (a marker), permanent delete of a version, undelete.

import {
  s3, s3Xml, s3Url, query, kids, textOf, decodeKey, el, button, formatSize, formatDate,
  confirmDialog, flash, clearFlash,
} from './s3.js';
import { Uploads } from './upload.js';

/** Keys per page (`?page-size=N` on the console's URL changes it, 1 to 1000). */
const PAGE = (() => {
  const n = Number(new URLSearchParams(window.location.search).get('page-size'));
  return Number.isInteger(n) && n >= 1 && n <= 1000 ? n : 100;
})();

export class Browser {
  constructor(ctx) {
    this.ctx = ctx;
    this.bucket = '';
    this.prefix = '';
    this.next = null;
    this.uploads = new Uploads(this);
    this.versions = document.getElementById('show-versions');
    this.versions.addEventListener('change', () => this.reload());
    document.getElementById('refresh').addEventListener('click', () => this.reload());
    document.getElementById('next-page').addEventListener('click', () => this.load(this.next));
    document.getElementById('first-page').addEventListener('click', () => this.reload());
    document.getElementById('open-restore').addEventListener('click', () => ctx.restore.open(this.bucket, this.prefix));
    document.getElementById('open-settings').addEventListener('click', () => ctx.settings.open(this.bucket));
  }

  /** Shows `prefix` of `bucket`. */
  open(bucket, prefix) {
    this.bucket = bucket;
    this.prefix = prefix;
    this.ctx.show('browser');
    this.crumbs();
    this.reload();
  }

  /** Back to the browser as it was. */
  back() {
    this.ctx.show('browser');
    this.reload();
  }

  reload() {
    this.load(null);
  }

  crumbs() {
    const c = document.getElementById('crumbs');
    c.replaceChildren();
    const link = (label, prefix) => {
      const a = el('a', label, { href: '#' });
      a.addEventListener('click', (ev) => { ev.preventDefault(); clearFlash(); this.open(this.bucket, prefix); });
      return a;
    };
    c.append(link(this.bucket, ''));
    let acc = '';
    for (const part of this.prefix.split('/').filter((p, i, all) => i < all.length - 1)) {
      acc += `${part}/`;
      c.append(' / ', link(part, acc));
    }
  }

  /** Loads a page: the first (`next` null) or the one `next` names. */
  async load(next) {
    const status = document.getElementById('browser-status');
    status.textContent = 'Loading…';
    try {
      const page = this.versions.checked ? await this.versionsPage(next) : await this.objectsPage(next);
      this.render(page);
      this.next = page.next;
      document.getElementById('next-page').hidden = !page.next;
      document.getElementById('first-page').hidden = !next;
      const n = page.rows.length + page.prefixes.length;
      status.textContent = n ? `${n} entries on this page${page.next ? ' (more on the next)' : ''}.` : 'Nothing here.';
    } catch (e) {
      status.textContent = '';
      this.ctx.fail(e);
    }
  }

  async objectsPage(token) {
    const q = query([
      ['list-type', '2'], ['delimiter', '/'], ['encoding-type', 'url'], ['max-keys', String(PAGE)],
      ['prefix', this.prefix], ['continuation-token', token || undefined],
    ]);
    const root = await s3Xml('GET', s3Url(this.bucket, null, q));
    const rows = kids(root, 'Contents').map((c) => ({
      key: decodeKey(textOf(c, 'Key')),
      size: Number(textOf(c, 'Size')),
      modified: textOf(c, 'LastModified'),
      latest: true,
      marker: false,
      versionId: null,
    }));
    const prefixes = kids(root, 'CommonPrefixes').map((p) => decodeKey(textOf(p, 'Prefix')));
    const truncated = textOf(root, 'IsTruncated') === 'true';
    return { rows, prefixes, next: truncated ? textOf(root, 'NextContinuationToken') : null };
  }

  async versionsPage(marker) {
    const q = query([
      ['versions', null], ['delimiter', '/'], ['encoding-type', 'url'], ['max-keys', String(PAGE)],
      ['prefix', this.prefix],
      ['key-marker', marker ? marker.key : undefined],
      ['version-id-marker', marker ? marker.version : undefined],
    ]);
    const root = await s3Xml('GET', s3Url(this.bucket, null, q));
    // Versions and markers in the listing's order: key order, newest first within a key.
    const rows = Array.from(root.children)
      .filter((c) => c.localName === 'Version' || c.localName === 'DeleteMarker')
      .map((c) => ({
        key: decodeKey(textOf(c, 'Key')),
        versionId: textOf(c, 'VersionId') || 'null',
        latest: textOf(c, 'IsLatest') === 'true',
        marker: c.localName === 'DeleteMarker',
        size: Number(textOf(c, 'Size') || 0),
        modified: textOf(c, 'LastModified'),
      }));
    const prefixes = kids(root, 'CommonPrefixes').map((p) => decodeKey(textOf(p, 'Prefix')));
    const truncated = textOf(root, 'IsTruncated') === 'true';
    const next = truncated
      ? { key: decodeKey(textOf(root, 'NextKeyMarker')), version: textOf(root, 'NextVersionIdMarker') }
      : null;
    return { rows, prefixes, next };
  }

  render(page) {
    const versions = this.versions.checked;
    const head = document.getElementById('listing-head');
    const cols = versions
      ? ['Key', 'Version ID', 'Last modified', 'Size', 'Flags', '']
      : ['Name', 'Last modified', 'Size', ''];
    head.replaceChildren(...cols.map((c) => el('th', c)));
    const tbody = document.querySelector('#listing tbody');
    tbody.replaceChildren();
    for (const p of page.prefixes) {
      const tr = el('tr', null, { class: 'prefix' });
      tr.dataset.prefix = p;
      const a = el('a', p.slice(this.prefix.length), { href: '#', class: 'prefix-link' });
      a.addEventListener('click', (ev) => { ev.preventDefault(); clearFlash(); this.open(this.bucket, p); });
      const td = el('td');
      td.append(a);
      tr.append(td);
      for (let i = 1; i < cols.length; i += 1) tr.append(el('td'));
      tbody.append(tr);
    }
    for (const r of page.rows) tbody.append(versions ? this.versionRow(r) : this.objectRow(r));
  }

  objectRow(r) {
    const tr = el('tr', null, { class: 'object' });
    tr.dataset.key = r.key;
    const actions = el('td');
    actions.append(this.download(r, 'Download'), ' ',
      button('Delete', () => this.remove(r), { class: 'danger delete' }));
    tr.append(el('td', r.key.slice(this.prefix.length)), el('td', formatDate(r.modified)),
      el('td', formatSize(r.size), { class: 'num' }), actions);
    return tr;
  }

  versionRow(r) {
    const cls = r.marker ? 'version marker' : r.latest ? 'version latest' : 'version noncurrent';
    const tr = el('tr', null, { class: cls });
    tr.dataset.key = r.key;
    tr.dataset.versionId = r.versionId;
    tr.dataset.marker = String(r.marker);
    tr.dataset.latest = String(r.latest);
    const flags = el('td');
    if (r.latest) flags.append(el('span', 'latest', { class: 'tag' }));
    if (r.marker) flags.append(el('span', 'delete marker', { class: 'tag' }));
    const actions = el('td');
    if (r.marker) {
      const label = r.latest ? 'Undelete' : 'Remove marker';
      actions.append(button(label, () => this.removeVersion(r), { class: r.latest ? 'undelete' : 'remove-marker' }));
    } else {
      actions.append(this.download(r, 'Download'), ' ',
        button('Delete permanently', () => this.removeVersion(r), { class: 'danger delete-version' }));
    }
    tr.append(el('td', r.key.slice(this.prefix.length)), el('td', r.versionId, { class: 'mono' }),
      el('td', formatDate(r.modified)), el('td', r.marker ? '' : formatSize(r.size), { class: 'num' }),
      flags, actions);
    return tr;
  }

  /** A download link: the version named (or the current one), as an attachment. */
  download(r, label) {
    const name = r.key.split('/').pop() || 'download';
    const q = query([
      ['versionId', r.versionId || undefined],
      ['response-content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(name)}`],
    ]);
    return el('a', label, { href: s3Url(this.bucket, r.key, q), download: name, class: 'download' });
  }

  /** Deletes a key: in a versioned bucket, a delete marker goes on top. */
  async remove(r) {
    const ok = await confirmDialog(`Delete "${r.key}"? In a versioned bucket this adds a delete marker; its versions stay.`);
    if (!ok) return;
    try {
      await s3('DELETE', s3Url(this.bucket, r.key));
      flash(`Deleted ${r.key}.`);
      this.reload();
    } catch (e) {
      this.ctx.fail(e);
    }
  }

  /** Deletes one version or marker for good (removing the newest marker undeletes the key). */
  async removeVersion(r) {
    const what = r.marker
      ? `Remove the delete marker ${r.versionId} of "${r.key}"?${r.latest ? ' The key is undeleted.' : ''}`
      : `Delete version ${r.versionId} of "${r.key}" permanently? This cannot be undone.`;
    if (!(await confirmDialog(what))) return;
    try {
      await s3('DELETE', s3Url(this.bucket, r.key, query([['versionId', r.versionId]])));
      flash(r.marker ? `Removed the marker of ${r.key}.` : `Deleted version ${r.versionId} of ${r.key}.`);
      this.reload();
    } catch (e) {
      this.ctx.fail(e);
    }
  }
}
