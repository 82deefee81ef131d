// The playground: pick a photo (file picker, drag-and-drop or paste) and a style, send it,
// then follow the request live through its Server-Sent Events stream until the result is there.

const root = document.getElementById('playground');
const csrfToken = root.dataset.csrf;
const fileInput = document.getElementById('file-input');
const dropZone = document.getElementById('drop-zone');
const stylesBox = document.getElementById('styles');
const submitButton = document.getElementById('submit');
const statusLine = document.getElementById('status');
const progressBar = document.getElementById('progress');
const steps = document.getElementById('progress-steps');
const inputImage = document.getElementById('input-image');
const resultImage = document.getElementById('result-image');
const resultCaption = document.getElementById('result-caption');
const downloadLink = document.getElementById('download');

let chosenFile;
let stream;

function chooseFile(file) {
  if (!file) return;
  chosenFile = file;
  if (inputImage.src) URL.revokeObjectURL(inputImage.src);
  inputImage.src = URL.createObjectURL(file);
  inputImage.hidden = !file.type.startsWith('image/');
  resetResult();
  showStatus('', '');
  submitButton.disabled = false;
}

function resetResult() {
  resultImage.hidden = true;
  downloadLink.hidden = true;
  resultCaption.textContent = 'Result';
  progressBar.hidden = true;
  for (const step of steps.children) step.classList.remove('reached');
}

function showStatus(text, state) {
  statusLine.textContent = text;
  statusLine.dataset.state = state;
}

const stepOrder = ['queued', 'running', 'done'];

/** Marks the steps up to the request's state (a fast request can be running before the page first hears of it). */
function reach(state) {
  const last = stepOrder.indexOf(state === 'failed' ? 'done' : state);
  for (const step of steps.children) if (stepOrder.indexOf(step.dataset.step) <= last) step.classList.add('reached');
}

fileInput.addEventListener('change', () => chooseFile(fileInput.files[0]));
dropZone.addEventListener('dragover', (event) => {
  event.preventDefault();
  dropZone.classList.add('dragging');
});
dropZone.addEventListener('dragleave', () => dropZone.classList.remove('dragging'));
dropZone.addEventListener('drop', (event) => {
  event.preventDefault();
  dropZone.classList.remove('dragging');
  chooseFile(event.dataTransfer.files[0]);
});
document.addEventListener('paste', (event) => {
  const item = [...event.clipboardData.items].find((i) => i.kind === 'file');
  if (item) chooseFile(item.getAsFile());
});

async function loadStyles() {
  const response = await fetch('/api/styles');
  const { styles } = await response.json();
  stylesBox.replaceChildren();
  if (!styles.length) stylesBox.textContent = 'No styles are installed yet.';
  for (const { style, label, isDefault } of styles) {
    const card = document.createElement('label');
    card.className = 'style-card';
    const radio = Object.assign(document.createElement('input'), { type: 'radio', name: 'style', value: style, checked: isDefault });
    const sample = Object.assign(document.createElement('img'), { src: `/styles/${encodeURIComponent(style)}/sample.jpg`, alt: `${label} sample`, loading: 'lazy' });
    sample.addEventListener('error', () => sample.remove());
    const name = Object.assign(document.createElement('span'), { textContent: label });
    card.append(radio, sample, name);
    stylesBox.append(card);
  }
}

submitButton.addEventListener('click', async () => {
  if (!chosenFile) return;
  stream?.close();
  resetResult();
  submitButton.disabled = true;
  showStatus('Sending…', 'sending');
  const form = new FormData();
  // The style goes first: the server reads it before the image streams in.
  const style = stylesBox.querySelector('input[name=style]:checked')?.value;
  if (style) form.append('style', style);
  form.append('image', chosenFile, chosenFile.name || 'pasted-image');
  try {
    const response = await fetch('/api/requests', { method: 'POST', body: form, headers: { 'csrf-token': csrfToken } });
    const body = await response.json();
    if (!response.ok) {
      showStatus(body.message, 'refused');
      submitButton.disabled = false;
      return;
    }
    follow(body.requestId);
  } catch {
    showStatus('The upload did not get through. Check your connection and try again.', 'refused');
    submitButton.disabled = false;
  }
});

function follow(requestId) {
  stream = new EventSource(`/api/requests/${encodeURIComponent(requestId)}/events`);
  stream.addEventListener('view', (event) => {
    const view = JSON.parse(event.data);
    reach(view.state);
    showStatus(view.text, view.state);
    progressBar.hidden = view.state !== 'running';
    if (view.percent !== undefined) progressBar.value = view.percent;
    if (view.state === 'done') {
      const url = `/api/requests/${encodeURIComponent(requestId)}/result`;
      resultImage.src = url;
      resultImage.hidden = false;
      resultCaption.textContent = view.caption ?? 'Result';
      downloadLink.href = `${url}?download`;
      downloadLink.hidden = false;
    }
    if (view.state === 'done' || view.state === 'failed') {
      stream.close();
      submitButton.disabled = false;
    }
  });
}

loadStyles().catch(() => (stylesBox.textContent = 'The styles could not be loaded; reload the page.'));
