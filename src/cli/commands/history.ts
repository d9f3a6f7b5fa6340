// `wharf history IMAGE`: docker's table (IMAGE, CREATED, CREATED BY, SIZE, COMMENT).
import type { ImageHistoryItem } from "../../api/types/index.ts";
import type { Runner } from "../command.ts";
import { getClient } from "../context.ts";
import { bool, str } from "../flags.ts";
import { ellipsis } from "../render/table.ts";
import { writeList } from "../render/format.ts";
import { createdSince, goTime, humanSize, shortId } from "../common.ts";

const headers: Record<string, string> = {
  ID: "IMAGE", CreatedSince: "CREATED", CreatedAt: "CREATED AT", CreatedBy: "CREATED BY", Size: "SIZE", Comment: "COMMENT",
};

export const history: Runner = async (p) => {
  const name = p.positionals[0]!;
  const hist = await getClient().json<ImageHistoryItem[]>("GET", `/images/${encodeURIComponent(name)}/history`);
  const noTrunc = bool(p, "no-trunc");
  const human = p.flags.get("human") !== false;
  const rows = hist.map((h) => {
    const by = String(h.CreatedBy ?? "").replace(/\t/g, " ");
    return {
      ID: h.Id === "<missing>" ? h.Id : noTrunc ? h.Id : shortId(h.Id),
      CreatedSince: human ? createdSince(h.Created) : new Date(h.Created * 1000).toISOString().replace(/\.\d+Z$/, "Z"),
      CreatedAt: goTime(h.Created),
      CreatedBy: noTrunc ? by : ellipsis(by, 45),
      Size: human ? humanSize(h.Size) : String(h.Size),
      Comment: h.Comment ?? "",
    };
  });
  writeList(rows, { quiet: bool(p, "quiet"), format: str(p, "format"), headers, cols: ["ID", "CreatedSince", "CreatedBy", "Size", "Comment"] });
};
