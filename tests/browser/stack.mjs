// A real `wharf up` stack on free ports in a temp dir, for the browser tests,
// and helpers to drive it (signed Meta webhooks). Stopped with SIGTERM.
import { spawn } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../..');

/** Polls `check` until it returns a truthy value, or throws after `ms`. */
export async function eventually(what, ms, check) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      if (err.fatal) throw err;
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function wharfBinary() {
  if (process.env.WHARF_BIN) return process.env.WHARF_BIN;
  const target = process.env.CARGO_TARGET_DIR ?? join(REPO, 'target');
  return join(target, 'debug', 'wharf');
}

/** Starts `wharf up`; resolves once the admin server and the edge answer. */
export async function startStack() {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-browser-'));
  const bin = wharfBinary();
  if (!existsSync(bin)) throw new Error(`${bin} not found: run \`cargo build --bin wharf\` (or set WHARF_BIN)`);
  const ports = ['HUB_CLIENT_PORT', 'HUB_CLUSTER_PORT', 'HUB_LEAFNODE_PORT', 'HUB_MONITOR_PORT', 'LEAF_CLIENT_PORT',
    'LEAF_MONITOR_PORT', 'EDGE_HTTP_PORT', 'SANDBOX_PORT'];
  // One alert rule the tests can trip at will: webhooks with a bad signature
  // (`wharf up` points it at its edges' /metrics), evaluated twice a second.
  const config = join(dir, 'wharf.toml');
  writeFileSync(config, [
    '[alerts]', 'interval_ms = 500', '',
    '[[alerts.rules]]', 'name = "bad-signatures"', 'kind = "edge_rejections"', 'reasons = ["bad_signature"]',
    'window_secs = 600', 'threshold = 0', 'severity = "ticket"', '',
  ].join('\n'));
  const env = {
    ...process.env,
    WHARF_CONFIG: config,
    WHARF__UP__DATA_DIR: dir,
    WHARF__DATABASE__URL: `sqlite://${dir}/wharf.db?mode=rwc`,
    WHARF__ADMIN__LISTEN: '127.0.0.1:0',
    WHARF__ADMIN__WEB_DIR: join(REPO, 'web', 'dist'),
    RUST_LOG: process.env.RUST_LOG ?? 'info',
  };
  for (const p of ports) env[`WHARF__UP__${p}`] = '0';
  const log = openSync(join(dir, 'wharf.log'), 'a');
  const child = spawn(bin, ['up'], { cwd: REPO, env, stdio: ['ignore', log, log] });
  let exited = null;
  child.on('exit', (code, signal) => { exited = { code, signal }; });

  const stack = {
    dir,
    child,
    logTail: () => readFileSync(join(dir, 'wharf.log'), 'utf8').split('\n').slice(-40).join('\n'),
    async stop() {
      if (exited === null) {
        child.kill('SIGTERM');
        const killAfter = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await new Promise((r) => (exited !== null ? r() : child.once('exit', r)));
        clearTimeout(killAfter);
      }
      if (!process.env.KEEP_STACK) rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    const info = await eventually('stack.json', 120_000, () => {
      if (exited !== null) throw Object.assign(new Error(`wharf up exited (${JSON.stringify(exited)})`), { fatal: true });
      const file = join(dir, 'stack.json');
      return existsSync(file) && JSON.parse(readFileSync(file, 'utf8'));
    });
    Object.assign(stack, {
      adminUrl: info.admin_url.replace(/\/$/, ''),
      edgeUrl: info.edges[0].url.replace(/\/$/, ''),
      credentials: info.credentials,
      sandboxUrl: info.sandbox_url?.replace(/\/$/, ''),
    });
    await eventually('the admin server', 60_000, async () => (await fetch(`${stack.adminUrl}/healthz`)).ok);
    await eventually('the dashboard', 10_000, async () => (await fetch(`${stack.adminUrl}/`)).ok);
    return stack;
  } catch (err) {
    const tail = existsSync(join(dir, 'wharf.log')) ? stack.logTail() : '';
    await stack.stop();
    throw new Error(`${err.message}\n--- wharf up log ---\n${tail}`);
  }
}

/**
 * `wharf up` and Debian's Chromium (through playwright-core from web/),
 * started together; both or a throw (what did start is stopped).
 */
export async function startStackAndBrowser() {
  const require = createRequire(join(REPO, 'web', 'package.json'));
  const { chromium } = require('playwright-core');
  const [s, b] = await Promise.allSettled([
    startStack(),
    chromium.launch({
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
        // Players start without a click: a test presses play in script.
        '--autoplay-policy=no-user-gesture-required', '--mute-audio'],
    }),
  ]);
  if (s.status === 'rejected' || b.status === 'rejected') {
    if (s.status === 'fulfilled') await s.value.stop();
    if (b.status === 'fulfilled') await b.value.close();
    throw s.status === 'rejected' ? s.reason : b.reason;
  }
  return { stack: s.value, browser: b.value };
}

/** A new browser context of `viewport` (and `options`) signed in with the stack's admin password; its page, on the inbox. */
export async function adminPage(browser, stack, viewport, wait, options = {}) {
  const context = await browser.newContext({ ...options, viewport });
  context.setDefaultTimeout(wait);
  const page = await context.newPage();
  await signIn(page, stack);
  return page;
}

/** Signs `page` in on the stack's login form (the admin by default); resolves on the inbox. */
export async function signIn(page, stack, email = stack.credentials.admin_email, password = stack.credentials.admin_password) {
  await page.goto(stack.adminUrl);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Inbox', exact: true }).waitFor();
}

/** `fetch` on the admin API with the stack's admin token; the JSON answer (null for 204), or a throw. */
export async function adminApi(stack, method, path, body) {
  const res = await fetch(`${stack.adminUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${stack.credentials.admin_token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? null : res.json();
}

/** A Meta text-message webhook body, as the Cloud API sends it; `ts` (unix seconds) is the message's time, now when absent. */
export function metaText({ number, from, name, wamid, text, ts = Math.floor(Date.now() / 1000) }) {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{
      id: '102290129340398',
      changes: [{
        field: 'messages',
        value: {
          messaging_product: 'whatsapp',
          metadata: { display_phone_number: '15550100', phone_number_id: number },
          contacts: [{ profile: { name }, wa_id: from }],
          messages: [{ from, id: wamid, timestamp: String(ts), type: 'text', text: { body: text } }],
        },
      }],
    }],
  });
}

/** Posts `body` (a JSON string) to the stack's edge signed with the app secret, retrying until it is stored (200). */
export async function postSigned(stack, body) {
  const signature = `sha256=${createHmac('sha256', stack.credentials.app_secret).update(body).digest('hex')}`;
  await eventually('the edge to store the webhook', 60_000, async () => {
    const res = await fetch(`${stack.edgeUrl}/webhooks/meta`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
      body,
    });
    return res.status === 200;
  });
}

/**
 * An approved template in the catalog of business account `waba`, as Meta
 * tells it: a signed `message_template_status_update` (APPROVED) and a
 * `message_template_components_update` carrying its body; resolves once the
 * catalog lists it with that body.
 */
export async function approveTemplate(stack, { waba, name, language, category = 'UTILITY', body }) {
  const update = (field, value) => JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: waba, time: Math.floor(Date.now() / 1000), changes: [{ field, value }] }],
  });
  const ids = { message_template_id: Date.now(), message_template_name: name, message_template_language: language };
  await postSigned(stack, update('message_template_status_update',
    { ...ids, event: 'APPROVED', reason: 'NONE', message_template_category: category }));
  await postSigned(stack, update('message_template_components_update', { ...ids, message_template_element: body }));
  await eventually(`template ${name} in the catalog`, 30_000, async () => {
    const res = await fetch(`${stack.adminUrl}/api/v1/templates?status=APPROVED`,
      { headers: { authorization: `Bearer ${stack.credentials.admin_token}` } });
    const list = res.ok ? await res.json() : [];
    return list.some((t) => t.name === name && t.language === language
      && t.components?.message_template_element === body);
  });
}

/** Posts a signed customer message to the stack's edge, retrying until it is stored (200). */
/** A customer's media message: the file registered with the sandbox under
 * a fresh media id (served like Meta's media API), then a signed webhook
 * naming it, as Meta sends one (media id, MIME type, sha256). */
export async function sendCustomerMedia(stack, { from, name, kind, mime, bytes, caption }) {
  const mediaId = `${Date.now()}${randomBytes(3).toString('hex')}`;
  const put = await fetch(`${stack.sandboxUrl}/sandbox/media/${mediaId}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ mime_type: mime, data_base64: Buffer.from(bytes).toString('base64') }),
  });
  if (!put.ok) throw new Error(`the sandbox refused the file: ${put.status}`);
  const wamid = `wamid.browser.${randomBytes(6).toString('hex')}`;
  const message = JSON.parse(metaText({ number: stack.credentials.phone_number_id, from, name, wamid, text: '' }));
  const m = message.entry[0].changes[0].value.messages[0];
  delete m.text;
  m.type = kind;
  m[kind] = { id: mediaId, mime_type: mime, sha256: createHash('sha256').update(bytes).digest('base64'), ...(caption ? { caption } : {}) };
  const body = JSON.stringify(message);
  await postSigned(stack, body);
  return wamid;
}

/** POSTs a Meta delivery with a wrong signature (the edge answers 401). */
export async function sendBadSignature(stack) {
  const body = metaText({ number: stack.credentials.phone_number_id, from: '4915100000000', name: 'Probe',
    wamid: `wamid.probe.${randomBytes(6).toString('hex')}`, text: 'probe' });
  const res = await fetch(`${stack.edgeUrl}/webhooks/meta`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` },
    body,
  });
  if (res.status !== 401) throw new Error(`a bad signature was answered ${res.status}`);
}

export async function sendCustomerMessage(stack, { from, name, text, ts }) {
  const wamid = `wamid.browser.${randomBytes(6).toString('hex')}`;
  const body = metaText({ number: stack.credentials.phone_number_id, from, name, wamid, text, ts });
  await postSigned(stack, body);
  return wamid;
}
