/**
 * Frames of the pilot channel: length-prefixed, signed, numbered.
 *
 *   u32 length | 32-byte HMAC-SHA256 | u64 seq | u32 header length | header (JSON) | value (raw bytes)
 *
 * The MAC covers a direction byte, the sequence number and everything after it, under the pilot's own key
 * (32 random bytes, given to the agent on srun's stdin). A receiver accepts only the next sequence number of
 * its direction, so a replayed, reordered, reflected or spliced frame is refused, and a frame is parsed only
 * after its MAC matched. Lengths are read first and capped: the reader never rescans (NDJSON did on every
 * chunk: 10 / 20 / 40 MB results took 1.5 / 4.8 / 17.5 s) and never buffers more than one capped frame.
 * Values travel beside the header as bytes (v8-serialized), not base64 inside JSON.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type Direction = 'toAgent' | 'toHost';
const DIR: Record<Direction, number> = { toAgent: 0x48, toHost: 0x41 };
const MAC = 32;
const FIXED = 4 + MAC + 8 + 4;

/** Default cap of one frame (header and value): results bigger than this fail with a clear error. */
export const DEFAULT_MAX_FRAME = 512 * 1024 * 1024;

export class FrameError extends Error {
  override name = 'FrameError';
}

function mac(key: Buffer, dir: Direction, seqAndRest: Buffer[]): Buffer {
  const h = createHmac('sha256', key).update(Buffer.of(DIR[dir]));
  for (const b of seqAndRest) h.update(b);
  return h.digest();
}

/** Signs one message: returns the buffers to write (the value is not copied). */
export function seal(key: Buffer, dir: Direction, seq: number, header: unknown, value?: Buffer): Buffer[] {
  const head = Buffer.from(JSON.stringify(header), 'utf8');
  const fixed = Buffer.alloc(FIXED);
  const body = value ?? Buffer.alloc(0);
  fixed.writeUInt32BE(FIXED - 4 + head.length + body.length, 0);
  fixed.writeBigUInt64BE(BigInt(seq), 4 + MAC);
  fixed.writeUInt32BE(head.length, 4 + MAC + 8);
  const tail = fixed.subarray(4 + MAC);
  mac(key, dir, [tail, head, body]).copy(fixed, 4);
  return value ? [fixed, head, body] : [fixed, head];
}

export interface Opened {
  header: any;
  value?: Buffer;
}

/**
 * Reads frames from a byte stream: collects chunks until one whole frame is there (each byte is copied at most
 * once), checks its size, MAC and sequence number, and hands it on. Any failure is final for the connection:
 * `onError` is called once and nothing more is read.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private have = 0;
  private need = 4;
  private inFrame = false;
  private seq = 0;
  private failed = false;

  constructor(
    private key: Buffer,
    private dir: Direction,
    private maxFrame: number,
    private onFrame: (f: Opened) => void,
    private onError: (e: FrameError) => void,
  ) {}

  /** Lowers or raises the cap, e.g. small until the peer has proved it holds the key. */
  setMaxFrame(n: number): void {
    this.maxFrame = n;
  }

  push(chunk: Buffer): void {
    if (this.failed) return;
    this.chunks.push(chunk);
    this.have += chunk.length;
    while (!this.failed && this.have >= this.need) {
      const bytes = this.take(this.need);
      if (!this.inFrame) {
        const len = bytes.readUInt32BE(0);
        if (len < FIXED - 4) return this.fail(`frame too short (${len} bytes)`);
        if (len > this.maxFrame) return this.fail(`frame of ${len} bytes is over the cap of ${this.maxFrame}`);
        this.inFrame = true;
        this.need = len;
      } else {
        this.inFrame = false;
        this.need = 4;
        this.open(bytes);
      }
    }
  }

  private open(b: Buffer): void {
    const seq = b.readBigUInt64BE(MAC);
    const headLen = b.readUInt32BE(MAC + 8);
    if (MAC + 12 + headLen > b.length) return this.fail('header length past the frame');
    const want = mac(this.key, this.dir, [b.subarray(MAC)]);
    if (!timingSafeEqual(want, b.subarray(0, MAC))) return this.fail('bad signature');
    if (seq !== BigInt(this.seq)) return this.fail(`sequence ${seq} where ${this.seq} was due (replayed or reordered)`);
    this.seq++;
    let header: unknown;
    try {
      header = JSON.parse(b.subarray(MAC + 12, MAC + 12 + headLen).toString('utf8'));
    } catch {
      return this.fail('signed header is not JSON');
    }
    if (typeof header !== 'object' || header === null || typeof (header as { type?: unknown }).type !== 'string') {
      return this.fail('signed header has no type');
    }
    const rest = b.subarray(MAC + 12 + headLen);
    this.onFrame({ header, value: rest.length ? rest : undefined });
  }

  private take(n: number): Buffer {
    this.have -= n;
    const first = this.chunks[0];
    if (first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let off = 0;
    while (off < n) {
      const c = this.chunks[0];
      const k = Math.min(c.length, n - off);
      c.copy(out, off, 0, k);
      off += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    return out;
  }

  private fail(why: string): void {
    this.failed = true;
    this.chunks = [];
    this.onError(new FrameError(why));
  }
}

/** Writes signed frames in order, numbering them. */
export class FrameWriter {
  private seq = 0;
  constructor(
    private key: Buffer,
    private dir: Direction,
    private write: (b: Buffer) => void,
  ) {}

  send(header: unknown, value?: Buffer): void {
    const parts = seal(this.key, this.dir, this.seq++, header, value);
    // One write per small frame: with Nagle off every write is its own segment (3 per frame, 9 per task).
    if (!value || value.length < 65536) this.write(parts.length === 1 ? parts[0] : Buffer.concat(parts));
    else for (const b of parts) this.write(b);
  }
}
