// The skb truesize model (src/unix/truesize.ts) against SIOCOUTQ after one
// send of each size on a socketpair with a huge SO_SNDBUFFORCE, measured on
// Linux 6.18 x86_64 (stream writes above 36544 bytes are two skbs).
import { describe, expect, it } from 'vitest';
import { dgramTruesize, streamSkbSize } from '../../src/unix/truesize.ts';

/** [payload, SIOCOUTQ on a stream pair, SIOCOUTQ on a dgram (and seqpacket) pair] */
const LINUX: [number, number, number][] = [
  [1, 768, 768], [192, 768, 768], [256, 1280, 1280], [1000, 2304, 2304], [1728, 2304, 2304], [1729, 4352, 4352],
  [3776, 4352, 4352], [3777, 4864, 8448], [4097, 4864, 8448], [5000, 6400, 8448], [7000, 8448, 8448],
  [7873, 8960, 16640], [10000, 12544, 16640], [16064, 16640, 16640], [16065, 17152, 20736], [19936, 20736, 20736],
  [30000, 30976, 33024], [36544, 37120, 37120], [36545, 37888, 41216], [65536, 67072, 69888],
  [85697, 87808, 102656], [150000, 153344, 200960], [212960, 216576, 332032],
];

function streamWrite(len: number, sndbuf: number): number {
  let total = 0;
  for (let rem = len; rem > 0; ) {
    const { size, truesize } = streamSkbSize(rem, sndbuf);
    total += truesize;
    rem -= size;
  }
  return total;
}

describe('skb truesize (what a send charges to SO_SNDBUF)', () => {
  it.each(LINUX)('%i bytes: stream %i, dgram %i, as Linux', (len, stream, dgram) => {
    expect(streamWrite(len, 2147483646)).toBe(stream);
    expect(dgramTruesize(len)).toBe(dgram);
  });

  it('a zero-byte datagram is still an skb', () => {
    expect(dgramTruesize(0)).toBe(768);
  });

  it('stream skbs hold at most half the send buffer less 64, and at most SKB_MAX_HEAD(0) + 32 KiB', () => {
    expect(streamSkbSize(65536, 40000)).toEqual({ size: 19936, truesize: 20736 });
    expect(streamSkbSize(200000, 212992).size).toBe(36544);
  });
});
