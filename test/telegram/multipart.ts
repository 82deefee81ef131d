/** One part of a multipart/form-data body. */
export interface MultipartPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

const crlf = Buffer.from('\r\n');
const headerEnd = Buffer.from('\r\n\r\n');

/**
 * Parses a multipart/form-data body (RFC 7578) into its parts, byte-exact: part bodies are
 * binary, header names are case-insensitive, and content-disposition parameters may be
 * quoted or not (grammY writes `name="photo";filename=sketch.png`).
 */
export function parseMultipart(body: Buffer, contentType: string): MultipartPart[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const token = boundary?.[1] ?? boundary?.[2];
  if (!token) throw new Error(`no boundary in content-type "${contentType}"`);
  const delimiter = Buffer.from(`--${token}`);
  const partDelimiter = Buffer.concat([crlf, delimiter]);
  let position = body.indexOf(delimiter);
  if (position < 0) throw new Error('multipart body has no boundary');
  const parts: MultipartPart[] = [];
  for (;;) {
    position += delimiter.length;
    if (body.subarray(position, position + 2).toString('latin1') === '--') return parts;
    if (body.subarray(position, position + 2).equals(crlf)) position += 2;
    const headersEnd = body.indexOf(headerEnd, position);
    if (headersEnd < 0) throw new Error('multipart part without a header end');
    const next = body.indexOf(partDelimiter, headersEnd + headerEnd.length);
    if (next < 0) throw new Error('multipart body is not terminated');
    const headers = parseHeaders(body.subarray(position, headersEnd).toString('utf8'));
    const disposition = parseParameters(headers.get('content-disposition') ?? '');
    const name = disposition.get('name');
    if (name === undefined) throw new Error('multipart part without a name');
    const filename = disposition.get('filename');
    const type = headers.get('content-type');
    parts.push({ name, ...(filename !== undefined ? { filename } : {}), ...(type ? { contentType: type } : {}), data: Buffer.from(body.subarray(headersEnd + headerEnd.length, next)) });
    position = next + crlf.length;
  }
}

function parseHeaders(text: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

/** `form-data; name="a"; filename=b.png` → {name: a, filename: b.png} (first item dropped). */
function parseParameters(value: string): Map<string, string> {
  const parameters = new Map<string, string>();
  const pattern = /;\s*([\w*-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (const match of value.matchAll(pattern)) {
    const raw = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : (match[3] ?? '').trim();
    parameters.set(match[1]!.toLowerCase(), raw);
  }
  return parameters;
}
