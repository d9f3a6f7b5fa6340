// wharf events / system events: the daemon's event stream, one line per event as the
// docker CLI prints it (time, type, action, actor and its sorted attributes), or through --format.
import type { Runner } from "../command.ts";
import { getClient } from "../context.ts";
import { str } from "../flags.ts";
import { filtersQuery } from "../common.ts";
import { clientTimestamp } from "../timestamp.ts";
import { errorFromResponse, readAll } from "../../client/client.ts";
import { compileTemplate } from "../render/template.ts";
import { localDate, prepareLocalZone, zoneSuffix } from "../localtime.ts";
import { out } from "../output.ts";

interface Message {
  status?: string;
  id?: string;
  from?: string;
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes?: Record<string, string> };
  scope?: string;
  time?: number;
  timeNano?: number;
}

/** Go's RFC3339NanoFixed in the local zone: nine digits of fraction always. */
export function rfc3339NanoFixed(timeNano: bigint): string {
  const ms = Number(timeNano / 1_000_000n);
  const local = localDate(ms).toISOString().slice(0, 19);
  const frac = (timeNano % 1_000_000_000n).toString().padStart(9, "0");
  return `${local}.${frac}${zoneSuffix(ms)}`;
}

export function eventLine(e: Message, nanoText?: string): string {
  const nano = nanoText ? BigInt(nanoText) : e.time ? BigInt(e.time) * 1_000_000_000n : undefined;
  const attrs = Object.entries(e.Actor?.Attributes ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${nano !== undefined ? rfc3339NanoFixed(nano) + " " : ""}${e.Type} ${e.Action} ${e.Actor?.ID ?? ""}${attrs.length ? ` (${attrs.map(([k, v]) => `${k}=${v}`).join(", ")})` : ""}\n`;
}

/** The fields a --format template sees: Go's names for events.Message, its JSON for `json`. */
class EventView {
  constructor(
    private readonly m: Message,
    private readonly nano?: string,
  ) {}
  get Status() { return this.m.status ?? ""; }
  get ID() { return this.m.id ?? ""; }
  get From() { return this.m.from ?? ""; }
  get Type() { return this.m.Type; }
  get Action() { return this.m.Action; }
  get Actor() { return this.m.Actor; }
  get Scope() { return this.m.scope ?? ""; }
  get Time() { return this.m.time ?? 0; }
  get TimeNano() { return this.m.timeNano ?? 0; }
  /** events.Message's field order, its omitempty fields left out when empty. */
  toJSON() {
    const m = this.m;
    const attrs = Object.fromEntries(Object.entries(m.Actor?.Attributes ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return {
      status: m.status || undefined, id: m.id || undefined, from: m.from || undefined, Type: m.Type, Action: m.Action,
      Actor: new Ordered({ ID: m.Actor?.ID ?? "", Attributes: attrs }), scope: m.scope,
      time: m.time, timeNano: this.nano ? BigInt(this.nano) : m.timeNano,
    };
  }
}

/** An object whose keys are kept in this order by the template's json. */
class Ordered {
  constructor(private readonly o: Record<string, unknown>) {}
  toJSON() { return this.o; }
}

export const events: Runner = async (p) => {
  const since = str(p, "since"), until = str(p, "until");
  await prepareLocalZone();
  const res = await getClient().request("GET", "/events", {
    query: { since: since ? clientTimestamp(since) : undefined, until: until ? clientTimestamp(until) : undefined, filters: filtersQuery(p) },
  });
  if ((res.statusCode ?? 500) >= 400) throw errorFromResponse(res.statusCode ?? 500, await readAll(res));
  let format = str(p, "format");
  if (format === "json") format = "{{json .}}";
  const t = format ? compileTemplate(format) : undefined;
  let buf = "";
  for await (const chunk of res) {
    buf += Buffer.from(chunk).toString("utf8");
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (!line) continue;
      const m = JSON.parse(line) as Message;
      // timeNano exceeds a double's precision: its digits are taken from the text.
      const nano = /"timeNano":(\d+)/.exec(line)?.[1];
      out(t ? t.execute(new EventView(m, nano)) + "\n" : eventLine(m, nano));
    }
  }
};
