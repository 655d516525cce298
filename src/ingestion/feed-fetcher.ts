import { pipeline, Readable, Transform } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { PermanentIngestionError, TransientIngestionError } from './ingestion-errors';

/**
 * Opens a feed as a byte stream. HTTP 5xx, 408, 429, network errors and stalls are transient
 * (retried); other HTTP errors and an HTML page where data was expected are permanent.
 */
export async function openFeed(url: string, options: { idleTimeoutMs: number }): Promise<{ body: Readable; contentType: string }> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new TransientIngestionError(`feed stalled: nothing received for ${options.idleTimeoutMs} ms`)), options.idleTimeoutMs);
    timer.unref();
  };
  arm();
  let response: Response;
  try {
    response = await fetch(url, { signal: controller.signal, headers: { accept: 'text/csv, application/json;q=0.9, */*;q=0.5' } });
  } catch (error) {
    clearTimeout(timer);
    const reason = controller.signal.aborted ? controller.signal.reason : error;
    throw reason instanceof TransientIngestionError ? reason : new TransientIngestionError(`feed unreachable: ${describe(error)}`);
  }
  if (!response.ok || !response.body) {
    clearTimeout(timer);
    const detail = `HTTP ${response.status} ${response.statusText} from ${url}`;
    await response.body?.cancel().catch(() => undefined);
    if (response.status >= 500 || response.status === 408 || response.status === 429) throw new TransientIngestionError(detail);
    throw new PermanentIngestionError(detail);
  }
  const contentType = response.headers.get('content-type') ?? '';
  if (contentType.toLowerCase().startsWith('text/html')) {
    clearTimeout(timer);
    await response.body.cancel().catch(() => undefined);
    throw new PermanentIngestionError(`the feed answered with an HTML page (Content-Type: ${contentType}), not data`);
  }
  // Re-arms the stall timer per chunk inside the pipeline (a 'data' listener would start the stream
  // flowing before the parser reads it, and bytes would be lost).
  const watchdog = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      arm();
      callback(null, chunk);
    },
  });
  const body = pipeline(Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>), watchdog, () => clearTimeout(timer));
  return { body, contentType };
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}

/** Fetches a JSON document: transport failures as openFeed; a body that is not JSON is permanent. */
export async function fetchJsonDocument<T>(url: string, options: { idleTimeoutMs: number }): Promise<T> {
  const { body } = await openFeed(url, options);
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of body) chunks.push(chunk as Buffer);
  } catch (error) {
    throw error instanceof TransientIngestionError || error instanceof PermanentIngestionError
      ? error
      : new TransientIngestionError(`feed interrupted: ${describe(error)}`);
  }
  const text = Buffer.concat(chunks).toString('utf8').replace(/^\uFEFF/, '');
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new PermanentIngestionError(`${url} did not answer JSON (starts with ${JSON.stringify(text.slice(0, 60))})`);
  }
}
