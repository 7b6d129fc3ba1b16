/** Test helpers: build V2 bodies the way tritonclient does, and match ServingErrors. */
import assert from 'node:assert/strict';
import { ServingError } from '../../../src/errors/serving-error.js';
import type { ErrorCode } from '../../../src/errors/codes.js';

/** BYTES elements in the binary form: 4-byte LE length + bytes each. */
export function bytesBlob(items: readonly string[]): Uint8Array {
  const parts = items.map((s) => Buffer.from(s, 'utf8'));
  const out = Buffer.alloc(parts.reduce((n, p) => n + 4 + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    out.writeUInt32LE(p.byteLength, offset);
    p.copy(out, offset + 4);
    offset += 4 + p.byteLength;
  }
  return out;
}

/** Little-endian bytes of a typed array. */
export function le(array: ArrayBufferView): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** JSON header + blobs, as tritonclient sends them, with the Inference-Header-Content-Length value. */
export function binaryBody(json: unknown, blobs: readonly Uint8Array[]): { body: Buffer; headerLength: string } {
  const header = Buffer.from(JSON.stringify(json), 'utf8');
  return { body: Buffer.concat([header, ...blobs]), headerLength: String(header.byteLength) };
}

/** Assert that fn throws a ServingError with `code` whose message contains every fragment. */
export function assertServingError(
  fn: () => unknown,
  code: ErrorCode,
  fragments: readonly (string | RegExp)[] = [],
): ServingError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ServingError, `expected a ServingError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  for (const fragment of fragments) {
    if (typeof fragment === 'string')
      assert.ok(caught.message.includes(fragment), `"${caught.message}" lacks "${fragment}"`);
    else assert.match(caught.message, fragment);
  }
  return caught;
}

/** A view on fresh memory starting at an odd offset: like a slice of a pooled request Buffer. */
export function unaligned(bytes: Uint8Array): Uint8Array {
  const backing = Buffer.alloc(bytes.byteLength + 1);
  backing.set(bytes, 1);
  return backing.subarray(1);
}
