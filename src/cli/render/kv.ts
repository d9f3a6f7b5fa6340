// Docker's aligned "Key:   value" blocks, as in `docker version`.
export function kvBlock(rows: [string, string | number | boolean | undefined][], indent: string, width = 18): string {
  return rows
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${indent}${(k + ":").padEnd(width)}${v}`)
    .join("\n");
}
