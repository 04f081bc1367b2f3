// Restore a prefix to a time: the plan previewed first (GET /api/restore/plan, the plan of
// `strata restore --dry-run`), then, once confirmed, carried out (POST /api/restore/run),
// with each key's result.

import { api, query, el, confirmDialog, flash, clearFlash } from './s3.js';

const ACTIONS = {
  unchanged: 'nothing to do',
  undelete: 'undelete (remove newer delete markers)',
  copy: 'copy the version back',
  created_later: 'leave alone: created after the time',
  deleted_then: 'leave alone: deleted at the time, written since',
};

/** `YYYY-MM-DDTHH:MM:SS` in the browser's local time. */
function localInput(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

export class Restore {
  constructor(ctx) {
    this.ctx = ctx;
    this.bucket = '';
    this.planned = null;
    this.time = document.getElementById('restore-time');
    this.prefix = document.getElementById('restore-prefix');
    this.time.addEventListener('input', () => this.showUtc());
    document.getElementById('restore-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.preview();
    });
    document.getElementById('restore-run').addEventListener('click', () => this.run());
    document.getElementById('restore-back').addEventListener('click', () => ctx.browser.back());
  }

  open(bucket, prefix) {
    clearFlash();
    this.bucket = bucket;
    document.getElementById('restore-bucket').textContent = bucket;
    this.prefix.value = prefix;
    if (!this.time.value) this.time.value = localInput(new Date());
    this.showUtc();
    this.clear();
    this.ctx.show('restore');
  }

  clear() {
    this.planned = null;
    document.getElementById('restore-plan').hidden = true;
    document.getElementById('restore-run').hidden = true;
    document.getElementById('restore-summary').textContent = '';
  }

  /** The time asked for, as an RFC 3339 instant (null if the field does not parse). */
  asOf() {
    const d = new Date(this.time.value);
    return Number.isNaN(d.getTime()) ? null : d.toISOString();
  }

  showUtc() {
    const t = this.asOf();
    document.getElementById('restore-utc').textContent = t ? `= ${t}` : '';
  }

  async preview() {
    this.clear();
    const asOf = this.asOf();
    if (!asOf) {
      flash('Give the time to restore to.', true);
      return;
    }
    const ask = { bucket: this.bucket, prefix: this.prefix.value, as_of: asOf };
    try {
      const plan = await api('GET', `/api/restore/plan?${query(Object.entries(ask))}`);
      this.planned = { ...ask, digest: plan.digest };
      this.render(plan, false);
      const c = plan.counts;
      document.getElementById('restore-summary').textContent = `Plan for ${c.keys} keys: ${c.copy} to copy back, ${c.undelete} to undelete, ${c.unchanged} unchanged, ${c.created_later + c.deleted_then} left alone.`;
      document.getElementById('restore-run').hidden = c.copy + c.undelete === 0;
    } catch (e) {
      this.ctx.fail(e);
    }
  }

  async run() {
    if (!this.planned) return;
    const ask = this.planned;
    const ok = await confirmDialog(`Restore "${ask.prefix}" in ${ask.bucket} to ${ask.as_of}? Keys are copied back and delete markers removed as planned.`);
    if (!ok) return;
    try {
      document.getElementById('restore-run').hidden = true;
      const result = await api('POST', '/api/restore/run', ask);
      this.render(result, true);
      const c = result.counts;
      const summary = `Restored: ${c.copy} copied back, ${c.undelete} undeleted, ${c.failed} failed.`;
      document.getElementById('restore-summary').textContent = summary;
      flash(summary, c.failed > 0);
      this.planned = null;
    } catch (e) {
      this.ctx.fail(e);
    }
  }

  render(plan, withResults) {
    const table = document.getElementById('restore-plan');
    const tbody = table.querySelector('tbody');
    tbody.replaceChildren();
    for (const k of plan.keys) {
      const tr = el('tr', null, { class: `plan-${k.action}` });
      tr.dataset.key = k.key;
      tr.dataset.action = k.action;
      let details = '';
      if (k.action === 'copy') details = `version ${k.version_id}`;
      if (k.action === 'undelete') details = `markers ${k.markers.join(', ')}`;
      const result = withResults ? (k.result || '') : '';
      if (withResults) tr.dataset.result = result;
      tr.append(el('td', k.key), el('td', ACTIONS[k.action] || k.action), el('td', details, { class: 'mono' }),
        el('td', result));
      tbody.append(tr);
    }
    table.hidden = false;
  }
}
