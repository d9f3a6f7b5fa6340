// The events bus: every state change is published once, in Docker's event shape, and
// kept in a bounded ring so `GET /events?since=` can replay the recent past.
export interface DockerEvent {
  status?: string;
  id?: string;
  from?: string;
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: "local" | "swarm";
  time: number;
  /** Nanoseconds since the epoch; beyond 2^53, so a bigint, written exactly by encodeEvent. */
  timeNano: bigint;
}

type Listener = (ev: DockerEvent) => void;

export class EventBus {
  private readonly ring: DockerEvent[] = [];
  private readonly listeners = new Set<Listener>();
  private lastNano = 0n;
  // Wall clock at start plus a monotonic offset gives nanosecond resolution.
  private readonly wall0 = BigInt(Date.now()) * 1_000_000n;
  private readonly mono0 = process.hrtime.bigint();

  constructor(private readonly capacity = 1024) {}

  publish(type: string, action: string, id: string, attributes: Record<string, string> = {}): DockerEvent {
    // timeNano must be strictly increasing so since/until replay is exact.
    let nano = this.wall0 + (process.hrtime.bigint() - this.mono0);
    if (nano <= this.lastNano) nano = this.lastNano + 1n;
    this.lastNano = nano;
    const ev: DockerEvent = {
      Type: type,
      Action: action,
      Actor: { ID: id, Attributes: attributes },
      scope: "local",
      time: Number(nano / 1_000_000_000n),
      timeNano: nano,
    };
    // Container and image events keep the legacy top-level fields older clients read.
    if (type === "container" || type === "image") {
      ev.status = action;
      ev.id = id;
      if (attributes.image) ev.from = attributes.image;
    }
    this.ring.push(ev);
    if (this.ring.length > this.capacity) this.ring.shift();
    for (const l of this.listeners) l(ev);
    return ev;
  }

  /** Events already published whose time lies in [sinceNano, untilNano]. */
  history(sinceNano: bigint, untilNano?: bigint): DockerEvent[] {
    return this.ring.filter((e) => e.timeNano >= sinceNano && (untilNano === undefined || e.timeNano <= untilNano));
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}

/** One event as a JSON line, with timeNano as an exact integer. */
export function encodeEvent(e: DockerEvent): string {
  return JSON.stringify({ ...e, timeNano: "\u0000tn" }).replace('"\\u0000tn"', e.timeNano.toString());
}
