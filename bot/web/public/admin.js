// The dashboard: a live snapshot of the models and training runs (Server-Sent Events), and
// the buttons that call the admin actions — the same ones as the chat commands.

const root = document.getElementById('dashboard');
const csrfToken = root.dataset.csrf;
const modelsBox = document.getElementById('models');
const runsBox = document.getElementById('runs');
const notices = document.getElementById('notices');
const actionResult = document.getElementById('action-result');

/** Builds an element: el('td', { className: 'x' }, 'text', child…). */
function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children.filter((c) => c !== undefined && c !== null));
  return node;
}

function actionButton(label, action, body) {
  const button = el('button', { type: 'button', textContent: label });
  button.dataset.action = action;
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const response = await fetch(`/admin/api/actions/${action}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'csrf-token': csrfToken },
        body: JSON.stringify(body),
      });
      const answer = await response.json();
      actionResult.textContent = response.ok ? answer.text : answer.message;
      actionResult.dataset.ok = String(response.ok);
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

function metricsTable(metrics, current) {
  const names = Object.keys(metrics);
  if (!names.length) return undefined;
  const head = el('tr', {}, el('th', { textContent: 'metric' }), el('th', { textContent: 'this run' }), current ? el('th', { textContent: 'model then current' }) : undefined);
  const rows = names.map((name) =>
    el('tr', {}, el('td', { textContent: name }), el('td', { textContent: metrics[name].toFixed(4) }), current ? el('td', { textContent: current[name]?.toFixed(4) ?? '—' }) : undefined),
  );
  return el('table', { className: 'metrics' }, el('thead', {}, head), el('tbody', {}, ...rows));
}

function renderModels(models) {
  if (!models.length) return modelsBox.replaceChildren(el('p', { className: 'muted', textContent: 'No models are stored yet.' }));
  const rows = models.map(({ style, versions }) => {
    const current = versions.find((v) => v.current);
    const list = el(
      'ul',
      {},
      ...versions.map((v) =>
        el('li', {
          textContent: `${v.meta.version}${v.current ? ' (current)' : ''} — ${
            Object.entries(v.meta.metrics)
              .map(([k, n]) => `${k} ${n.toFixed(3)}`)
              .join(', ') || 'no metrics'
          }`,
        }),
      ),
    );
    return el(
      'tr',
      {},
      el('td', { textContent: style }),
      el('td', { textContent: current?.meta.version ?? 'none' }),
      el('td', {}, list),
      el('td', {}, actionButton('Retrain', 'retrain', { style }), ' ', actionButton('Roll back', 'rollback', { style })),
    );
  });
  const head = el('tr', {}, ...['style', 'current', 'versions', ''].map((t) => el('th', { textContent: t })));
  modelsBox.replaceChildren(el('table', {}, el('thead', {}, head), el('tbody', {}, ...rows)));
}

function describeState(run) {
  if (run.state === 'active' && run.progress) {
    const { phase, percent, step, totalSteps } = run.progress;
    return `running ${Math.round(percent)} % (${phase}${step !== undefined ? `, step ${step}/${totalSteps}` : ''})`;
  }
  if (run.state === 'failed') return run.failure?.cancelled ? `cancelled: ${run.failure.reason}` : `failed: ${run.failure?.reason ?? ''}`;
  return run.state;
}

function renderRuns(runs) {
  if (!runs.length) return runsBox.replaceChildren(el('p', { className: 'muted', textContent: 'No training or evaluation runs yet.' }));
  runsBox.replaceChildren(
    ...runs.map((run) => {
      const open = ['active', 'waiting', 'delayed'].includes(run.state);
      const progress = run.state === 'active' && run.progress ? el('progress', { max: 100, value: run.progress.percent }) : undefined;
      const result = run.result;
      const card = el(
        'article',
        { className: 'run' },
        el('h3', { textContent: `${run.job.kind} ${run.job.style}${run.job.dataset ? ` on ${run.job.dataset}` : ''}` }),
        el('p', { className: 'run-state', textContent: `${describeState(run)} · ${new Date(run.at).toLocaleString()} · ${run.id}` }),
        progress,
        open ? actionButton('Cancel', 'cancel', { jobId: run.id }) : undefined,
        result ? el('p', { textContent: `version ${result.version}${result.promoted ? ', promoted' : ', kept as candidate'}` }) : undefined,
        result && !result.promoted && run.job.kind === 'train' ? actionButton(`Promote ${result.version}`, 'promote', { style: result.style, version: result.version }) : undefined,
        result ? metricsTable(result.metrics, result.currentMetrics) : undefined,
        run.images.length
          ? el('div', { className: 'report-images' }, ...run.images.map((src) => el('img', { src, alt: src.split('/').pop().replace('.png', ''), loading: 'lazy' })))
          : undefined,
      );
      card.dataset.runId = run.id;
      card.dataset.state = run.state;
      return card;
    }),
  );
}

const events = new EventSource('/admin/api/events');
events.addEventListener('snapshot', (event) => {
  const { runs, models } = JSON.parse(event.data);
  renderModels(models);
  renderRuns(runs);
});
events.addEventListener('notice', (event) => {
  const { text } = JSON.parse(event.data);
  notices.prepend(el('li', { textContent: `${new Date().toLocaleTimeString()} — ${text}` }));
});
