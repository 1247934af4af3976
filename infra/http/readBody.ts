import type { Request } from 'express';

/** Reads at most `limit` bytes; `tooLarge` with the first bytes kept if the body is longer. */
export async function readBody(req: Request, limit: number): Promise<{ text: string; tooLarge: boolean }> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = declared > limit;
  if (!tooLarge) {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        break;
      }
      chunks.push(chunk);
    }
  }
  if (tooLarge) req.resume(); // let the client finish sending; we answer 413 without storing it all
  return { text: Buffer.concat(chunks).toString('utf8'), tooLarge };
}
