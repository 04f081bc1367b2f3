// The console's page: sign-in, the bucket list, and the views of one bucket (browser.js,
// restore.js, settings.js). User data is only ever written with textContent.

import {
  api, setCsrf, ApiError, flash, clearFlash, el, button, s3, s3Xml, s3Url, kids, textOf,
  formatDate, confirmDialog,
} from './s3.js';
import { Browser } from './browser.js';
import { Restore } from './restore.js';
import { Settings } from './settings.js';

const VIEWS = ['login', 'buckets', 'browser', 'restore', 'settings'];

const ctx = {
  /** Shows one view. */
  show(view) {
    for (const v of VIEWS) document.getElementById(v).hidden = v !== view;
    document.getElementById('top').hidden = view === 'login';
  },
  /** Reports an error; a lost session goes back to the sign-in. */
  fail(e) {
    if (e instanceof ApiError && e.status === 401) {
      setCsrf('');
      ctx.show('login');
      flash('Your session has ended: sign in again.', true);
      return;
    }
    flash(e && e.message ? e.message : String(e), true);
  },
  openBucket(name) {
    clearFlash();
    browser.open(name, '');
  },
  bucketList() {
    clearFlash();
    loadBuckets();
  },
};

const browser = new Browser(ctx);
ctx.restore = new Restore(ctx);
ctx.settings = new Settings(ctx);
ctx.browser = browser;

async function start() {
  try {
    const session = await api('GET', '/api/session');
    signedIn(session);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) ctx.show('login');
    else ctx.fail(e);
  }
}

function signedIn(session) {
  setCsrf(session.csrf);
  document.getElementById('who').textContent = session.display_name || session.access_key;
  loadBuckets();
}

async function loadBuckets() {
  ctx.show('buckets');
  const tbody = document.querySelector('#bucket-table tbody');
  try {
    const root = await s3Xml('GET', '/s3/');
    tbody.replaceChildren();
    const buckets = kids(root, 'Buckets')[0];
    for (const b of buckets ? kids(buckets, 'Bucket') : []) {
      const name = textOf(b, 'Name');
      const tr = el('tr');
      tr.dataset.bucket = name;
      const open = el('a', name, { href: '#', class: 'bucket-link' });
      open.addEventListener('click', (ev) => { ev.preventDefault(); ctx.openBucket(name); });
      const nameCell = el('td');
      nameCell.append(open);
      const actions = el('td');
      actions.append(button('Delete bucket', () => deleteBucket(name), { class: 'danger' }));
      tr.append(nameCell, el('td', formatDate(textOf(b, 'CreationDate'))), actions);
      tbody.append(tr);
    }
    if (!tbody.children.length) {
      const tr = el('tr');
      tr.append(el('td', 'No buckets yet.', { colspan: '3' }));
      tbody.append(tr);
    }
  } catch (e) {
    ctx.fail(e);
  }
}

async function deleteBucket(name) {
  if (!(await confirmDialog(`Delete the bucket "${name}"? It must be empty.`))) return;
  try {
    await s3('DELETE', s3Url(name));
    flash(`Deleted the bucket ${name}.`);
    loadBuckets();
  } catch (e) {
    ctx.fail(e);
  }
}

document.getElementById('login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const error = document.getElementById('login-error');
  error.textContent = '';
  try {
    const session = await api('POST', '/api/login', {
      access_key: document.getElementById('access-key').value,
      secret_key: document.getElementById('secret-key').value,
    });
    document.getElementById('secret-key').value = '';
    clearFlash();
    signedIn(session);
  } catch (e) {
    error.textContent = e.message;
  }
});

document.getElementById('logout').addEventListener('click', async () => {
  try {
    await api('POST', '/api/logout');
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) ctx.fail(e);
  }
  setCsrf('');
  clearFlash();
  ctx.show('login');
});

document.getElementById('to-buckets').addEventListener('click', (ev) => {
  ev.preventDefault();
  ctx.bucketList();
});

document.getElementById('create-bucket').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const input = document.getElementById('new-bucket');
  const name = input.value.trim();
  try {
    await s3('PUT', s3Url(name));
    input.value = '';
    flash(`Created the bucket ${name}.`);
    loadBuckets();
  } catch (e) {
    ctx.fail(e);
  }
});

start();
