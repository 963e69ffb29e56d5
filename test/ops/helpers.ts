import { Writable } from 'node:stream';

/** A pino destination that keeps every line, to assert what was (and was not) logged. */
export class LogCapture extends Writable {
  private readonly chunks: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.chunks.push(chunk.toString());
    done();
  }
  text(): string {
    return this.chunks.join('');
  }
  lines(): Record<string, unknown>[] {
    return this.text()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}
