// Uploads with progress: XMLHttpRequest (fetch reports no upload progress). Files up to
// MULTIPART_ABOVE go in one PUT; larger ones as a multipart upload of PART_SIZE parts, each
// with its own progress, then Complete (an upload that fails is aborted).

import { s3, s3Url, s3Xml, s3Error, query, textOf, el, formatSize, flash, getCsrf } from './s3.js';

const MULTIPART_ABOVE = 16 * 1024 * 1024;
const PART_SIZE = 8 * 1024 * 1024;

export class Uploads {
  constructor(browser) {
    this.browser = browser;
    this.input = document.getElementById('upload-file');
    document.getElementById('upload-button').addEventListener('click', () => this.start());
  }

  async start() {
    const files = Array.from(this.input.files || []);
    if (!files.length) {
      flash('Choose a file to upload first.', true);
      return;
    }
    const { bucket, prefix } = this.browser;
    let failed = 0;
    for (const file of files) {
      const row = new ProgressRow(file);
      try {
        if (file.size > MULTIPART_ABOVE) await multipart(bucket, prefix + file.name, file, row);
        else await single(bucket, prefix + file.name, file, row);
        row.done();
      } catch (e) {
        failed += 1;
        row.failed(e);
      }
    }
    this.input.value = '';
    if (failed) flash(`${failed} of ${files.length} uploads failed.`, true);
    else flash(`Uploaded ${files.length} file${files.length > 1 ? 's' : ''}.`);
    this.browser.reload();
  }
}

/** One upload's line: a progress bar and what it is doing. */
class ProgressRow {
  constructor(file) {
    this.file = file;
    this.row = el('div', null, { class: 'upload' });
    this.row.dataset.name = file.name;
    this.bar = el('progress', null, { max: String(file.size || 1), value: '0' });
    this.text = el('span', `${file.name}: waiting`, { class: 'upload-text' });
    this.row.append(this.bar, this.text);
    this.updates = 0;
    document.getElementById('uploads').append(this.row);
  }

  /** `sent` bytes of the whole file are up; `part` describes the step. */
  progress(sent, part) {
    this.updates += 1;
    this.row.dataset.updates = String(this.updates);
    this.bar.value = sent;
    const pct = this.file.size ? Math.floor((sent * 100) / this.file.size) : 100;
    this.text.textContent = `${this.file.name}: ${pct}% of ${formatSize(this.file.size)}${part ? ` (${part})` : ''}`;
  }

  done() {
    this.bar.value = this.file.size || 1;
    this.row.dataset.state = 'done';
    this.text.textContent = `${this.file.name}: done, ${formatSize(this.file.size)}`;
  }

  failed(e) {
    this.row.dataset.state = 'failed';
    this.text.textContent = `${this.file.name}: failed: ${e.message}`;
  }
}

/** A PUT with upload progress; resolves with the XMLHttpRequest once it is 2xx. */
function put(url, body, contentType, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    xhr.setRequestHeader('X-Strata-CSRF', getCsrf());
    if (contentType) xhr.setRequestHeader('Content-Type', contentType);
    xhr.upload.onprogress = (ev) => onProgress(ev.loaded);
    xhr.onload = async () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve(xhr);
      else reject(await s3Error(xhr.status, xhr.responseText));
    };
    xhr.onerror = () => reject(new Error('the connection failed'));
    xhr.send(body);
  });
}

async function single(bucket, key, file, row) {
  row.progress(0, '');
  await put(s3Url(bucket, key), file, file.type || 'application/octet-stream', (n) => row.progress(n, ''));
}

async function multipart(bucket, key, file, row) {
  const headers = { 'Content-Type': file.type || 'application/octet-stream' };
  const init = await s3Xml('POST', s3Url(bucket, key, 'uploads'), { headers });
  const uploadId = textOf(init, 'UploadId');
  const parts = Math.ceil(file.size / PART_SIZE);
  const etags = [];
  try {
    for (let n = 1; n <= parts; n += 1) {
      const start = (n - 1) * PART_SIZE;
      const blob = file.slice(start, Math.min(start + PART_SIZE, file.size));
      const label = `part ${n} of ${parts}`;
      row.progress(start, label);
      const q = query([['partNumber', String(n)], ['uploadId', uploadId]]);
      const xhr = await put(s3Url(bucket, key, q), blob, null, (loaded) => row.progress(start + loaded, label));
      etags.push(xhr.getResponseHeader('ETag'));
      row.progress(start + blob.size, label);
    }
    const doc = document.implementation.createDocument(null, 'CompleteMultipartUpload');
    for (let n = 1; n <= parts; n += 1) {
      const part = doc.createElement('Part');
      const num = doc.createElement('PartNumber');
      num.textContent = String(n);
      const etag = doc.createElement('ETag');
      etag.textContent = etags[n - 1];
      part.append(num, etag);
      doc.documentElement.append(part);
    }
    const body = new XMLSerializer().serializeToString(doc);
    const resp = await s3('POST', s3Url(bucket, key, query([['uploadId', uploadId]])), {
      body, headers: { 'Content-Type': 'application/xml' },
    });
    // S3 may answer 200 with an error document once the parts are being put together.
    const text = await resp.text();
    if (text.includes('<Error>')) throw await s3Error(500, text);
  } catch (e) {
    try {
      await s3('DELETE', s3Url(bucket, key, query([['uploadId', uploadId]])));
    } catch { /* the abort is a courtesy; the error that matters is e */ }
    throw e;
  }
}
