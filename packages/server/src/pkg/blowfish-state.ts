// Blowfish's initial P-array and S-boxes: the first 1042 32-bit words of pi's fractional hex
// digits. Computed once, on first use, with Machin's formula in BigInt fixed point (~80 ms), so no
// table of magic numbers lives in the source.

export const P_WORDS = 18;
export const S_BOX_WORDS = 256;
const TOTAL_WORDS = P_WORDS + 4 * S_BOX_WORDS;

/** The first `count` hex digits of pi after the point ("243f6a88..."). */
export function piFractionHex(count: number): string {
  const guardBits = 64n;
  const bits = BigInt(count * 4) + guardBits;
  const one = 1n << bits;
  const arctanInverse = (x: bigint): bigint => {
    const x2 = x * x;
    let power = one / x;
    let sum = power;
    for (let k = 1n, sign = -1n; ; k++, sign = -sign) {
      power /= x2;
      const term = power / (2n * k + 1n);
      if (term === 0n) return sum;
      sum += sign * term;
    }
  };
  const pi = 16n * arctanInverse(5n) - 4n * arctanInverse(239n);
  return ((pi - 3n * one) >> guardBits).toString(16).padStart(count, '0');
}

let initial: Uint32Array | undefined;

/** P (18 words) followed by the four S-boxes (256 words each); callers copy it. */
export function blowfishInitialWords(): Uint32Array {
  if (initial === undefined) {
    const hex = piFractionHex(TOTAL_WORDS * 8);
    const words = new Uint32Array(TOTAL_WORDS);
    for (let i = 0; i < TOTAL_WORDS; i++) words[i] = parseInt(hex.slice(i * 8, i * 8 + 8), 16);
    initial = words;
  }
  return initial;
}
