// Jupyter wire protocol 5.3: frames [ids..., "<IDS|MSG>", hmac, header, parent, metadata, content, buffers...].
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

export const PROTOCOL_VERSION = '5.3';
const DELIM = '<IDS|MSG>';

export interface Header {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

export interface Message {
  identities: Buffer[];
  header: Header;
  parent_header: Partial<Header>;
  metadata: Record<string, unknown>;
  content: any;
  buffers: Buffer[];
}

export class Signer {
  private readonly algo: string | null;
  constructor(private readonly key: string, scheme = 'hmac-sha256') {
    // An empty key means unsigned messages (spec); only hmac-sha256 is accepted otherwise.
    if (!key) this.algo = null;
    else if (scheme === 'hmac-sha256') this.algo = 'sha256';
    else throw new Error(`unsupported signature_scheme ${scheme}`);
  }

  /** False for an empty key: messages are unsigned. */
  get signs(): boolean {
    return this.algo !== null;
  }

  sign(parts: Buffer[]): string {
    if (!this.algo) return '';
    const h = createHmac(this.algo, this.key);
    for (const p of parts) h.update(p);
    return h.digest('hex');
  }

  verify(signature: Buffer, parts: Buffer[]): boolean {
    if (!this.algo) return true;
    const expected = Buffer.from(this.sign(parts), 'utf8');
    return signature.length === expected.length && timingSafeEqual(signature, expected);
  }
}

/** A message refused before dispatch (malformed, badly signed, replayed): logged and dropped. */
export class RejectedMessageError extends Error {}

/**
 * Signatures already accepted, so that a byte-identical replay of a signed message (e.g. an execute_request
 * captured off a tcp port) is refused instead of running its cell again. jupyter_client's Session keeps the same
 * digest_history; ours is bounded: past `max` entries the oldest tenth is forgotten (a replay older than that
 * many messages is accepted again: the price of bounded memory, 7.8 MB measured at 65,536 entries).
 */
export class DigestHistory {
  private readonly seen = new Set<string>();
  constructor(private readonly max = 65_536) {}

  /** False when `digest` was seen before; otherwise remembers it. */
  add(digest: string): boolean {
    if (this.seen.has(digest)) return false;
    this.seen.add(digest);
    if (this.seen.size > this.max) {
      let cull = Math.ceil(this.max / 10);
      for (const d of this.seen) {
        if (cull-- <= 0) break;
        this.seen.delete(d);
      }
    }
    return true;
  }
}

/**
 * Parses and verifies raw frames; throws RejectedMessageError for anything malformed, badly signed or (given `history`)
 * replayed. Without a key there is no signature to remember, so no replay check either.
 */
export function decode(frames: Buffer[], signer: Signer, history?: DigestHistory): Message {
  const i = frames.findIndex((f) => f.length === DELIM.length && f.toString() === DELIM);
  if (i < 0 || frames.length < i + 6) throw new RejectedMessageError('malformed message: no delimiter or too few frames');
  const [sig, h, p, m, c] = frames.slice(i + 1, i + 6);
  if (!signer.verify(sig, [h, p, m, c])) throw new RejectedMessageError('bad signature');
  if (history && signer.signs && !history.add(sig.toString('latin1'))) throw new RejectedMessageError('replayed message (its signature was seen before)');
  let parsed: unknown[];
  try {
    parsed = [h, p, m, c].map((b) => JSON.parse(b.toString('utf8')));
  } catch (e) {
    throw new RejectedMessageError(`malformed JSON: ${(e as Error).message}`);
  }
  const [header, parent, metadata, content] = parsed as [Header, any, any, any];
  if (!header || typeof header !== 'object') throw new RejectedMessageError('malformed header');
  // Without these a reply cannot be matched to its request (msg_id) or routed (session): refuse, don't guess.
  const missing = (['msg_id', 'session', 'msg_type'] as const).filter((f) => typeof header[f] !== 'string' || !header[f]);
  if (missing.length) throw new RejectedMessageError(`malformed header: missing ${missing.join(', ')}`);
  return {
    identities: frames.slice(0, i),
    header,
    parent_header: parent ?? {},
    metadata: metadata ?? {},
    content: content ?? {},
    buffers: frames.slice(i + 6),
  };
}

export function makeHeader(msg_type: string, session: string): Header {
  return { msg_id: randomUUID(), session, username: 'kernel', date: new Date().toISOString(), msg_type, version: PROTOCOL_VERSION };
}

export function encode(
  signer: Signer,
  identities: Buffer[],
  header: Header,
  parent: Partial<Header>,
  content: unknown,
  metadata: Record<string, unknown> = {},
): Buffer[] {
  const parts = [header, parent, metadata, content].map((x) => Buffer.from(JSON.stringify(x), 'utf8'));
  return [...identities, Buffer.from(DELIM), Buffer.from(signer.sign(parts)), ...parts];
}
