// The exec routes' backend: the exec service plus the container terminal resize.
import type { ExecBackend } from "../../api/routers/exec/backend.ts";
import { conflict } from "../../errors.ts";
import type { ContainerContext } from "../containers/context.ts";
import type { ExecService } from "./service.ts";

export function execBackend(ctx: ContainerContext, svc: ExecService): ExecBackend {
  return {
    execCreate: async (ref, body) => svc.create(ref, body),
    execStart: (id, body) => svc.start(id, body),
    execResize: (id, rows, cols) => svc.resize(id, rows, cols),
    execInspect: async (id) => svc.inspect(id),
    containerResize: async (ref, rows, cols) => {
      const c = ctx.store.lookup(ref);
      if (!c.state.s.Running) throw conflict(`Container ${c.id} is not running`);
      await ctx.exec.resize(c, rows, cols);
    },
  };
}
