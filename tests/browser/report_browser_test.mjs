// End-to-end test of the HTML reports in headless Chromium, driven through ChromeDriver's
// WebDriver HTTP API with node's own fetch (no npm package). For each page: it loads from
// a file:// URL (offline; the page's Content-Security-Policy blocks any fetch), every
// chart renders a non-empty SVG, the console has no error, every number shown equals the
// record's value at its data-path; a screenshot and a print-to-PDF are kept.
//
// Usage: node report_browser_test.mjs VAGLIO_BIN SOURCE_DIR ARTIFACT_DIR
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [vaglio, source, artifacts] = process.argv.slice(2);
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const chromedriver = process.env.CHROMEDRIVER || '/usr/bin/chromedriver';
const started = Date.now();
let passed = 0, failed = 0;
function check(ok, what) {
  if (ok) passed++;
  else { failed++; console.log(`FAIL: ${what}`); }
}

mkdirSync(artifacts, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'vaglio-browser-'));
const run = (args) => execFileSync(vaglio, args, { cwd: source, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

// The pages: the demo's report, the self-assessment, and a registry record whose gate
// failed, whose decision overrides the proposal, with a dissent.
const np1 = ['examples/np1/np1.dossier.yaml', '--criteria', 'examples/np1/irccs.criteria.yaml'];
const record = JSON.parse(run(['evaluate', ...np1, '--scores', 'examples/np1/np1.scores.yaml', '--format', 'json',
  '--report', join(artifacts, 'report.html')]));
run(['assess', ...np1, '--scores', 'examples/np1/np1.self_scores.yaml', '--html', join(artifacts, 'assessment.html')]);
let dossier = readFileSync(join(source, 'examples/np1/np1.dossier.yaml'), 'utf8')
  .replace('  rdm_number: 2345678\n', '').replace('../thr/thr.model.yaml', join(source, 'examples/thr/thr.model.yaml'));
writeFileSync(join(work, 'np1.dossier.yaml'), dossier);
const db = join(work, 'registry.db');
const overridden = JSON.parse(run(['evaluate', join(work, 'np1.dossier.yaml'), '--criteria', 'examples/np1/irccs.criteria.yaml',
  '--scores', 'examples/np1/np1.scores.yaml', '--registry', db]));
writeFileSync(join(work, 'decision.yaml'), `format: vaglio.decision/1\nevaluation: ${overridden.record_id}\n` +
  'final_outcome: DEFER\njustification: The RDM number is being registered; the dossier is otherwise complete.\n' +
  'decided_on: 2026-11-20\nvote: {for: 4, against: 1, abstain: 0, dissents: [{member: m4, text: Return it as inadmissible.}]}\n');
run(['record', join(work, 'decision.yaml'), '--registry', db]);
run(['report', '--registry', db, '--record', overridden.record_id, '--html', join(artifacts, 'report-override.html')]);

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

const port = await freePort();
const driver = spawn(chromedriver, [`--port=${port}`, '--allowed-ips=127.0.0.1'], { stdio: 'ignore' });
const base = `http://127.0.0.1:${port}`;
async function wd(method, path, body) {
  const res = await fetch(base + path, { method, headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json.value)}`);
  return json.value;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let session;
const profile = mkdtempSync(join(tmpdir(), 'vaglio-chromium-'));
try {
  for (let i = 0; ; i++) {  // until ChromeDriver listens
    try { await wd('GET', '/status'); break; } catch (e) { if (i > 100) throw e; await sleep(100); }
  }
  const caps = await wd('POST', '/session', { capabilities: { alwaysMatch: {
    browserName: 'chrome',
    'goog:loggingPrefs': { browser: 'ALL' },
    'goog:chromeOptions': { binary: chromium, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic',
      `--user-data-dir=${profile}`, '--window-size=1100,900'] },
  } } });
  session = `/session/${caps.sessionId}`;
  const exec = (script, args = []) => wd('POST', `${session}/execute/sync`, { script, args });

  for (const page of ['report.html', 'assessment.html', 'report-override.html']) {
    const t0 = Date.now();
    await wd('POST', `${session}/url`, { url: 'file://' + join(artifacts, page) });
    let state = null;
    for (let i = 0; i < 200 && state !== 'done'; i++) {
      state = await exec("return document.body.getAttribute('data-charts')");
      if (state !== 'done') await sleep(100);
    }
    check(state === 'done', `${page}: the charts did not settle`);
    const charts = await exec(`return Array.from(document.querySelectorAll('[data-chart]')).map(function (el) {
      var svg = el.querySelector('svg'), box = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
      return { id: el.getAttribute('data-chart'), rendered: el.getAttribute('data-rendered'), width: box.width,
               height: box.height, marks: svg ? svg.querySelectorAll('path, circle, rect, line, text').length : 0,
               data: svg ? svg.querySelectorAll('.mark-symbol path, .mark-rect path, .mark-line path, .mark-rule line, .mark-text text').length : 0 };
    })`);
    check(charts.length >= (page === 'assessment.html' ? 6 : 7), `${page}: ${charts.length} charts`);
    for (const c of charts) {
      check(c.rendered === 'true' && c.width > 50 && c.height > 20 && c.data > 0,
        `${page}: chart ${c.id} is empty or failed: ${JSON.stringify(c)}`);
    }
    const logs = await wd('POST', `${session}/se/log`, { type: 'browser' });
    const errors = logs.filter((l) => l.level === 'SEVERE');
    check(errors.length === 0, `${page}: console errors: ${JSON.stringify(errors)}`);
    for (const l of logs.filter((x) => x.level === 'WARNING')) console.log(`${page}: console warning: ${l.message}`);
    if (page === 'report.html') {
      // The numbers shown, as rendered, against the record printed by the same run.
      const shown = await exec(`return Array.from(document.querySelectorAll('[data-path]')).map(function (el) {
        return [el.getAttribute('data-path'), el.getAttribute('data-value')]; })`);
      let compared = 0;
      for (const [path, value] of shown) {
        const v = path.split('/').slice(1).reduce((o, k) => (o === undefined ? o : o[k]), record);
        check(typeof v === 'number' && v === Number(value), `report.html: ${path} shows ${value}, the record has ${v}`);
        compared++;
      }
      check(compared >= 60, `report.html: only ${compared} numbers compared`);
      const ce = await exec("return document.querySelectorAll('#chart-ce-plane .mark-symbol path').length");
      check(ce >= record.economics.psa.sample_size, `report.html: the CE plane draws ${ce} points`);
    }
    if (page === 'report-override.html') {
      const attention = await exec("var a = document.getElementById('attention'); return a ? a.innerText : ''");
      for (const text of ['Gate G02 failed', 'Override: the committee decided DEFER; the engine proposed INADMISSIBLE',
        'Dissent of m4: “Return it as inadmissible.”']) {
        check(attention.includes(text), `report-override.html: the attention box lacks "${text}": ${attention}`);
      }
    }
    // A full-page screenshot and the printed PDF, kept as artifacts.
    const height = await exec('return document.documentElement.scrollHeight');
    await wd('POST', `${session}/window/rect`, { width: 1100, height: Math.min(height + 100, 16000) });
    const png = Buffer.from(await wd('GET', `${session}/screenshot`), 'base64');
    writeFileSync(join(artifacts, page.replace('.html', '.png')), png);
    check(png.length > 50000, `${page}: screenshot of ${png.length} bytes`);
    const pdf = Buffer.from(await wd('POST', `${session}/print`, { background: true, page: { width: 21, height: 29.7 } }), 'base64');
    writeFileSync(join(artifacts, page.replace('.html', '.pdf')), pdf);
    check(pdf.subarray(0, 5).toString() === '%PDF-' && pdf.length > 20000, `${page}: PDF of ${pdf.length} bytes`);
    await wd('POST', `${session}/window/rect`, { width: 1100, height: 900 });
    console.log(`${page}: ${charts.length} charts drawn, ${Date.now() - t0} ms`);
  }
} catch (e) {
  failed++;
  console.log(`FAIL: ${e.message}`);
} finally {
  if (session) await wd('DELETE', session).catch(() => {});
  driver.kill();
  for (const dir of [work, profile]) rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
}
console.log(`artifacts in ${artifacts}; ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
