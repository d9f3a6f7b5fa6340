// wharf completion bash|zsh|fish: scripts generated from the command tree, so they
// always know every command, subcommand and flag this binary has.
import type { CommandDef, Runner } from "../command.ts";
import { compileFlags } from "../flags.ts";
import { ExitError } from "../exit.ts";
import { out } from "../output.ts";

const flagWords = (def: CommandDef) =>
  compileFlags(def.flags ?? []).filter((f) => !f.hidden).flatMap((f) => [`--${f.name}`, ...(f.short ? [`-${f.short}`] : [])]).concat("--help");

const visible = (m: Record<string, CommandDef>) => Object.entries(m).filter(([, d]) => !d.hidden);

function bash(commands: Record<string, CommandDef>): string {
  const cases: string[] = [];
  for (const [name, def] of visible(commands)) {
    if (def.sub) {
      cases.push(`    ${name}) words_="${Object.keys(def.sub).join(" ")}" ;;`);
      for (const [sub, sd] of visible(def.sub)) cases.push(`    "${name} ${sub}") words_="${flagWords(sd).join(" ")}" ;;`);
    } else cases.push(`    ${name}) words_="${flagWords(def).join(" ")}" ;;`);
  }
  return `# wharf bash completion: source it, or put it in /etc/bash_completion.d/wharf
_wharf() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path_="" words_="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in -*) ;; *) path_="\${path_:+$path_ }\${COMP_WORDS[i]}" ;; esac
  done
  case "$path_" in
    "") words_="${Object.keys(commands).join(" ")} --help --version -H --host --config -D --debug -l --log-level" ;;
${cases.join("\n")}
  esac
  case "$path_" in
    *\\ *|attach|commit|cp|create|diff|events|exec|export|history|images|import|info|inspect|kill|load|login|logout|logs|pause|port|ps|pull|push|rename|restart|rm|rmi|run|save|search|start|stats|stop|tag|top|unpause|update|version|wait)
      [[ "$cur" != -* ]] && { COMPREPLY=($(compgen -W "$(wharf ps -a --format '{{.Names}}' 2>/dev/null) $(wharf images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null)" -- "$cur")); return; } ;;
  esac
  COMPREPLY=($(compgen -W "$words_" -- "$cur"))
}
complete -F _wharf wharf
`;
}

function fish(commands: Record<string, CommandDef>): string {
  const q = (s: string) => `'${s.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
  const out = ["# wharf fish completion: save as ~/.config/fish/completions/wharf.fish", "complete -c wharf -f"];
  const top = Object.keys(commands).join(" ");
  for (const [name, def] of visible(commands)) {
    out.push(`complete -c wharf -n "not __fish_seen_subcommand_from ${top}" -a ${name} -d ${q(def.desc)}`);
    const leaves = def.sub ? visible(def.sub).map(([s, d]) => [`${name} ${s}`, d, `__fish_seen_subcommand_from ${name}; and __fish_seen_subcommand_from ${s}`] as const) : [[name, def, `__fish_seen_subcommand_from ${name}`] as const];
    if (def.sub) for (const [s, d] of visible(def.sub)) out.push(`complete -c wharf -n "__fish_seen_subcommand_from ${name}; and not __fish_seen_subcommand_from ${Object.keys(def.sub).join(" ")}" -a ${s} -d ${q(d.desc)}`);
    for (const [, d, cond] of leaves) {
      for (const f of compileFlags(d.flags ?? []).filter((f) => !f.hidden)) {
        out.push(`complete -c wharf -n "${cond}" -l ${f.name}${f.short ? ` -s ${f.short}` : ""}${f.type === "bool" ? "" : " -r"} -d ${q((f.desc ?? "").startsWith("@") ? "Format output using a custom template" : (f.desc ?? "").split("\n")[0]!)}`);
      }
    }
  }
  return out.join("\n") + "\n";
}

export const completion: Runner = async (p, inv) => {
  const shell = p.positionals[0];
  if (shell === "bash") out(bash(inv.commands));
  else if (shell === "zsh") out(`#compdef wharf\n# wharf zsh completion: the bash rules through bashcompinit\nautoload -U +X bashcompinit && bashcompinit\n${bash(inv.commands)}`);
  else if (shell === "fish") out(fish(inv.commands));
  else throw new ExitError(1, `unsupported shell "${shell}": want bash, zsh or fish`);
};
