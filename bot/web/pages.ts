/**
 * The web pages, rendered on the server; the scripts under public/ bring them to life
 * (playground.js, admin.js). Everything interpolated is escaped.
 */
import { megabytes } from '../../shared/errors.js';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function layout(title: string, body: string, script?: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/assets/web.css">
${script ? `<script type="module" src="/assets/${script}"></script>` : ''}
</head>
<body>
${body}
</body>
</html>
`;
}

export function playgroundPage({ csrfToken, maxInputBytes }: { csrfToken: string; maxInputBytes: number }): string {
  return layout(
    'animebot — try a style',
    `<header><h1>animebot</h1><p>Turn a photo into a sketch, a cartoon or anime — the same bot as on Telegram and Discord.</p></header>
<main id="playground" data-csrf="${escapeHtml(csrfToken)}">
  <section class="step">
    <h2>1. Your photo</h2>
    <label id="drop-zone" class="drop-zone" tabindex="0">
      <input id="file-input" type="file" accept="image/*">
      <span>Drop a photo here, paste one (Ctrl+V), or <u>choose a file</u>. Up to ${megabytes(maxInputBytes)}.</span>
    </label>
  </section>
  <section class="step">
    <h2>2. A style</h2>
    <div id="styles" class="styles" role="radiogroup" aria-label="Style"><p class="muted">Loading the styles…</p></div>
  </section>
  <section class="step">
    <button id="submit" type="button" disabled>Style it</button>
    <ol id="progress-steps" class="progress-steps" aria-label="Progress">
      <li data-step="queued">Queued</li><li data-step="running">Running</li><li data-step="done">Done</li>
    </ol>
    <p id="status" role="status" aria-live="polite"></p>
    <progress id="progress" max="100" value="0" hidden></progress>
  </section>
  <section class="compare">
    <figure><figcaption>Your photo</figcaption><img id="input-image" alt="Your photo" hidden></figure>
    <figure><figcaption id="result-caption">Result</figcaption><img id="result-image" alt="The styled photo" hidden>
      <a id="download" class="button" hidden download>Download</a></figure>
  </section>
</main>`,
    'playground.js',
  );
}

export function adminOffPage(): string {
  return layout('animebot admin', `<main class="narrow"><h1>Admin</h1><p id="admin-off">The admin area is off. Set <code>ADMIN_PASSWORD</code> to turn it on.</p></main>`);
}

export function loginPage({ csrfToken, error }: { csrfToken: string; error?: string }): string {
  return layout(
    'animebot admin — log in',
    `<main class="narrow"><h1>Admin</h1>
<form method="post" action="/admin/login" class="login">
  <input type="hidden" name="_csrf" value="${escapeHtml(csrfToken)}">
  <label>Password <input type="password" name="password" autocomplete="current-password" required autofocus></label>
  <button type="submit">Log in</button>
  ${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
</form></main>`,
  );
}

export function dashboardPage({ csrfToken }: { csrfToken: string }): string {
  return layout(
    'animebot admin',
    `<header class="bar"><h1>animebot admin</h1>
  <nav><a href="/admin/queues">Queues (bull-board)</a> · <a href="/">Playground</a>
  <form method="post" action="/admin/logout" class="inline"><input type="hidden" name="_csrf" value="${escapeHtml(csrfToken)}"><button type="submit">Log out</button></form></nav></header>
<main id="dashboard" data-csrf="${escapeHtml(csrfToken)}">
  <p id="action-result" role="status" aria-live="polite"></p>
  <section><h2>Models</h2><div id="models"><p class="muted">Loading…</p></div></section>
  <section><h2>Training runs</h2><div id="runs"><p class="muted">Loading…</p></div></section>
  <section><h2>Notices</h2><ul id="notices"></ul></section>
</main>`,
    'admin.js',
  );
}
