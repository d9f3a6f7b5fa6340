// --user resolution through the container's own /etc/passwd and /etc/group, as Docker
// does it: name or uid, optional :group or :gid, supplementary groups from /etc/group,
// plus --group-add.
import { readFileSync } from "node:fs";

export interface ExecUser {
  uid: number;
  gid: number;
  groups: number[];
  home: string;
}

interface PasswdEntry { name: string; uid: number; gid: number; home: string }
interface GroupEntry { name: string; gid: number; members: string[] }

function readLines(path: string): string[][] {
  try {
    return readFileSync(path, "utf8").split("\n").filter((l) => l && !l.startsWith("#")).map((l) => l.split(":"));
  } catch {
    return [];
  }
}

export function parsePasswd(path: string): PasswdEntry[] {
  return readLines(path)
    .filter((f) => f.length >= 6)
    .map((f) => ({ name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), home: f[5]! }));
}

export function parseGroup(path: string): GroupEntry[] {
  return readLines(path)
    .filter((f) => f.length >= 3)
    .map((f) => ({ name: f[0]!, gid: Number(f[2]), members: (f[3] ?? "").split(",").filter(Boolean) }));
}

const isNum = (s: string) => /^\d+$/.test(s);

/** Throws an Error with Docker's wording when a name is unknown. */
export function resolveUser(spec: string | undefined, groupAdd: string[], etcDir: string): ExecUser {
  const passwd = parsePasswd(`${etcDir}/passwd`);
  const groups = parseGroup(`${etcDir}/group`);
  const [userPart = "", groupPart] = (spec ?? "").split(":", 2);
  let user: PasswdEntry | undefined;
  if (userPart === "") user = passwd.find((p) => p.uid === 0) ?? { name: "root", uid: 0, gid: 0, home: "/root" };
  else if (isNum(userPart)) user = passwd.find((p) => p.uid === Number(userPart)) ?? { name: "", uid: Number(userPart), gid: 0, home: "/" };
  else {
    user = passwd.find((p) => p.name === userPart);
    if (!user) throw new Error(`unable to find user ${userPart}: no matching entries in passwd file`);
  }
  let gid = user.gid;
  if (groupPart !== undefined && groupPart !== "") gid = lookupGroup(groupPart, groups);
  // Supplementary groups come from /etc/group only when no group was given explicitly.
  const extra = groupPart === undefined && user.name ? groups.filter((g) => g.members.includes(user!.name)).map((g) => g.gid) : [];
  const added = groupAdd.map((g) => lookupGroup(g, groups));
  const all = [...new Set([gid, ...extra, ...added])];
  return { uid: user.uid, gid, groups: all, home: user.home || "/" };
}

function lookupGroup(g: string, groups: GroupEntry[]): number {
  if (isNum(g)) return Number(g);
  const e = groups.find((x) => x.name === g);
  if (!e) throw new Error(`unable to find group ${g}: no matching entries in group file`);
  return e.gid;
}
