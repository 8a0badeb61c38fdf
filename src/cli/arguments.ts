/** Parsers of command-line option values shared by the commands (errors say what was expected). */
import { InvalidArgumentError } from 'commander';

/** An integer ≥ min. */
export function integer(min: number) {
  return (text: string): number => {
    const v = Number(text);
    if (!/^[+-]?\d+$/.test(text.trim()) || !Number.isSafeInteger(v) || v < min) {
      throw new InvalidArgumentError(`expected an integer ≥ ${min}, got '${text}'`);
    }
    return v;
  };
}

/** One of the given words. */
export function oneOf<T extends string>(words: readonly T[]) {
  return (text: string): T => {
    if (!(words as readonly string[]).includes(text)) throw new InvalidArgumentError(`expected one of ${words.join(', ')}, got '${text}'`);
    return text as T;
  };
}
