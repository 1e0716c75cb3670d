// The run's only source of randomness. Every random choice in a run
// (scheduling picks, PCT change points, AT_RANDOM, getrandom) draws from one
// of these, so a seed reproduces the run bit for bit.
import seedrandom from 'seedrandom';

export type Seed = number | string;

export class Rng {
  private readonly gen: seedrandom.PRNG;

  constructor(readonly seed: Seed) {
    // alea: fast, and its state depends only on the seed's string form.
    this.gen = seedrandom.alea(String(seed));
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.gen();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.gen() * n);
  }

  /** A new generator whose sequence is fixed by this one's next draw. */
  fork(label: string): Rng {
    return new Rng(`${this.seed}/${label}/${this.gen.int32()}`);
  }

  /** n pseudo-random bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.gen.int32() & 0xff;
    return out;
  }
}

/** Parses a seed from the command line: a 32-bit integer when it looks like one, else the string itself. */
export function parseSeed(text: string): Seed {
  return /^-?\d+$/.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : text;
}
