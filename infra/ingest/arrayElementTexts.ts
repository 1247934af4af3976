const isJsonSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * The text of each element of a JSON array, exactly as it was sent (whitespace around it left out), read with one
 * pass over the characters. `text` must be JSON that JSON.parse accepted; null when it is not an array.
 */
export function arrayElementTexts(text: string): string[] | null {
  let i = 0;
  while (i < text.length && isJsonSpace(text.charCodeAt(i))) i += 1;
  if (text.charCodeAt(i) !== 0x5b /* [ */) return null;
  const elements: string[] = [];
  let depth = 0;
  let start = i + 1;
  let inString = false;
  for (; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i += 1;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b /* { */) depth += 1;
    else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth -= 1;
      if (depth === 0) {
        const last = text.slice(start, i).trim();
        if (last !== '' || elements.length > 0) elements.push(last);
        return elements;
      }
    } else if (c === 0x2c /* , */ && depth === 1) {
      elements.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  return null;
}
