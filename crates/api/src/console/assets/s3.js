// Talking to the server: the console's JSON API (/api/...) and S3 as the signed-in user
// (/s3/...), whose XML answers are read with DOMParser. Nothing here renders HTML.

let csrf = '';

/** Keeps the session's CSRF token (in memory only) for every request that changes something. */
export function setCsrf(token) {
  csrf = token || '';
}

/** The session's CSRF token (for requests not made through api() or s3()). */
export function getCsrf() {
  return csrf;
}

/** An error of the API or of S3: its HTTP status, S3 code (if any) and message. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(code ? `${code}: ${message}` : message);
    this.status = status;
    this.code = code;
  }
}

function headersFor(method, extra) {
  const h = new Headers(extra || {});
  if (method !== 'GET' && method !== 'HEAD') h.set('X-Strata-CSRF', csrf);
  return h;
}

/** A console API call; JSON in, JSON out. */
export async function api(method, path, body) {
  const headers = headersFor(method, body === undefined ? {} : { 'Content-Type': 'application/json' });
  const resp = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  let data = null;
  try { data = await resp.json(); } catch { data = null; }
  if (!resp.ok) {
    throw new ApiError(resp.status, '', (data && data.error) || resp.statusText);
  }
  return data;
}

/** Encodes a key for a path: each segment percent-encoded, slashes kept. */
export function encodeKey(key) {
  return key.split('/').map(encodeURIComponent).join('/');
}

/** The /s3/ URL of a bucket, or of a key in it, with an optional query string. */
export function s3Url(bucket, key, query) {
  let url = '/s3/' + encodeURIComponent(bucket);
  if (key !== undefined && key !== null) url += '/' + encodeKey(key);
  if (query) url += '?' + query;
  return url;
}

/** A query string from [name, value] pairs; a null value writes the name alone. */
export function query(pairs) {
  return pairs
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => (v === null ? encodeURIComponent(k) : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`))
    .join('&');
}

/** An S3 request; throws ApiError with S3's code on a non-2xx answer. */
export async function s3(method, url, opts = {}) {
  const resp = await fetch(url, {
    method,
    headers: headersFor(method, opts.headers),
    body: opts.body,
    credentials: 'same-origin',
  });
  if (!resp.ok) throw await s3Error(resp.status, await resp.text());
  return resp;
}

/** The ApiError of an S3 error answer's body (XML, or the console's JSON). */
export async function s3Error(status, text) {
  if (text.trim().startsWith('{')) {
    try { return new ApiError(status, '', JSON.parse(text).error); } catch { /* fall through */ }
  }
  const doc = parseXml(text);
  const code = doc ? textOf(doc.documentElement, 'Code') : '';
  const message = doc ? textOf(doc.documentElement, 'Message') : '';
  return new ApiError(status, code, message || `HTTP ${status}`);
}

/** An S3 request whose answer is an XML document. */
export async function s3Xml(method, url, opts) {
  const resp = await s3(method, url, opts);
  const doc = parseXml(await resp.text());
  if (!doc) throw new ApiError(resp.status, '', 'the answer is not XML');
  return doc.documentElement;
}

export function parseXml(text) {
  if (!text) return null;
  const doc = new DOMParser().parseFromString(text, 'application/xml');
  if (doc.getElementsByTagName('parsererror').length) return null;
  return doc;
}

/** The child elements of `el` named `name`. */
export function kids(el, name) {
  return Array.from(el.children).filter((c) => c.localName === name);
}

/** The text of the first child of `el` named `name` ('' if none). */
export function textOf(el, name) {
  const c = kids(el, name)[0];
  return c ? c.textContent : '';
}

/** A key or prefix of a listing asked with encoding-type=url. */
export function decodeKey(s) {
  return decodeURIComponent(s.replace(/\+/g, ' '));
}

/** base64 of the SHA-256 of a string (for x-amz-checksum-sha256). */
export async function sha256Base64(text) {
  if (!crypto.subtle) throw new ApiError(0, '', 'this page is not a secure context (use https or localhost)');
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  let bin = '';
  for (const b of new Uint8Array(digest)) bin += String.fromCharCode(b);
  return btoa(bin);
}

export function formatSize(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = Number(n);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i += 1; }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}

export function formatDate(s) {
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? s : d.toISOString().replace('.000Z', 'Z');
}

/** A new element with text content (never HTML). */
export function el(tag, text, attrs = {}) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else e.setAttribute(k, v);
  }
  return e;
}

/** A button that runs `onClick`. */
export function button(label, onClick, attrs = {}) {
  const b = el('button', label, { type: 'button', ...attrs });
  b.addEventListener('click', onClick);
  return b;
}

/** Asks the user to confirm; resolves true for OK. */
export function confirmDialog(message) {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-text').textContent = message;
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.returnValue = '';
    dialog.showModal();
  });
}

/** Shows a short message at the top of the page. */
export function flash(message, bad = false) {
  const f = document.getElementById('flash');
  f.textContent = message;
  f.className = bad ? 'flash bad' : 'flash';
  f.hidden = false;
}

export function clearFlash() {
  document.getElementById('flash').hidden = true;
}
