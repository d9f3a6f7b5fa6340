// `wharf image VERB`: docker's management command for images.
import { defineCommand } from "citty";

const manage = (name: "rmi" | "tag" | "prune" | "inspect") => () => import("./image-manage.ts").then((m) => m[name]);
const io = (name: "load" | "save" | "importCmd") => () => import("./image-io.ts").then((m) => m[name]);

export default defineCommand({
  meta: { name: "image", description: "Manage images" },
  subCommands: {
    ls: () => import("./images.ts").then((m) => m.default),
    list: () => import("./images.ts").then((m) => m.default),
    history: () => import("./history.ts").then((m) => m.default),
    inspect: manage("inspect"),
    rm: manage("rmi"),
    remove: manage("rmi"),
    prune: manage("prune"),
    tag: manage("tag"),
    load: io("load"),
    save: io("save"),
    import: io("importCmd"),
  },
});
