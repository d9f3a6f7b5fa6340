// A JSON answer already encoded, so a route can send bytes it assembled from cached
// pieces without the server encoding the value again. toJSON keeps it usable as a value.
export class RawJson {
  constructor(readonly text: string) {}

  toJSON(): unknown {
    return JSON.parse(this.text);
  }
}
