// Types for the part of pako 1.0 (https://github.com/nodeca/pako) that zip.ts uses: a synchronous, resumable raw
// inflate, for entries too large to inflate in one call. pako ships no types of its own in 1.0.
declare module 'pako' {
  interface InflateOptions {
    /** Raw deflate, no zlib header (ZIP). */
    raw?: boolean;
    /** Bytes per output chunk handed to onData. */
    chunkSize?: number;
  }
  export class Inflate {
    constructor(options?: InflateOptions);
    /** Called with each output chunk; may throw to stop inflating (the exception leaves push()). */
    onData: (chunk: Uint8Array) => void;
    /** Feeds input; `mode` true for the last piece. False when the stream is broken (see err, msg). */
    push(data: Uint8Array, mode?: boolean | number): boolean;
    /** zlib status of the last push: 0 ok, 1 stream end, negative an error. */
    err: number;
    msg: string;
    /** The deflate stream reached its end. */
    ended: boolean;
  }
  const pako: { Inflate: typeof Inflate };
  export default pako;
}
