// Image and registry commands.
import type { CommandDef } from "../command.ts";

export const history: CommandDef = {
  use: "[OPTIONS] IMAGE",
  desc: "Show the history of an image",
  aliases: "wharf image history, wharf history",
  flags: [
    "H|human||Print sizes and dates in human readable format|true|",
    "|no-trunc||Don't truncate output||",
    "q|quiet||Only show image IDs||",
    "|format|string|@table||",
    "|platform|string|Show history for the given platform. Formatted as \"os[/arch[/variant]]\" (e.g., \"linux/amd64\")|",
  ],
  args: [1, 1],
  run: () => import("../commands/history.ts").then((m) => m.history),
};

export const load: CommandDef = {
  use: "[OPTIONS]",
  desc: "Load an image from a tar archive or STDIN",
  aliases: "wharf image load, wharf load",
  flags: [
    "i|input|string|Read from tar archive file, instead of STDIN||",
    "q|quiet||Suppress the load output||",
    "|platform|string|Load only the given platform variant. Formatted as \"os[/arch[/variant]]\" (e.g., \"linux/amd64\")|",
  ],
  args: [0, 0],
  run: () => import("../commands/image-io.ts").then((m) => m.load),
};

export const save: CommandDef = {
  use: "[OPTIONS] IMAGE [IMAGE...]",
  desc: "Save one or more images to a tar archive (streamed to STDOUT by default)",
  aliases: "wharf image save, wharf save",
  flags: [
    "o|output|string|Write to a file, instead of STDOUT||",
    "|platform|string|Save only the given platform variant. Formatted as \"os[/arch[/variant]]\" (e.g., \"linux/amd64\")|",
  ],
  args: [1, Infinity],
  run: () => import("../commands/image-io.ts").then((m) => m.save),
};

export const importDef: CommandDef = {
  use: "[OPTIONS] file|URL|- [REPOSITORY[:TAG]]",
  desc: "Import the contents from a tarball to create a filesystem image",
  aliases: "wharf image import, wharf import",
  flags: [
    "c|change|list|Apply wharffile instruction to the created image||",
    "m|message|string|Set commit message for imported image||",
    "|platform|string|Set platform if server is multi-platform capable||",
  ],
  args: [1, 2],
  run: () => import("../commands/image-io.ts").then((m) => m.importCmd),
};

export const rmi: CommandDef = {
  use: "[OPTIONS] IMAGE [IMAGE...]",
  desc: "Remove one or more images",
  aliases: "wharf image rm, wharf image remove, wharf rmi",
  flags: [
    "f|force||Force removal of the image||",
    "|no-prune||Do not delete untagged parents||",
  ],
  args: [1, Infinity],
  run: () => import("../commands/image-manage.ts").then((m) => m.rmi),
};

export const tag: CommandDef = {
  use: "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
  desc: "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
  aliases: "wharf image tag, wharf tag",
  args: [2, 2],
  run: () => import("../commands/image-manage.ts").then((m) => m.tag),
};

export const imagePrune: CommandDef = {
  use: "[OPTIONS]",
  desc: "Remove unused images",
  flags: [
    "a|all||Remove all unused images, not just dangling ones||",
    "f|force||Do not prompt for confirmation||",
    "|filter|filter|Provide filter values (e.g. \"until=<timestamp>\")|",
  ],
  args: [0, 0],
  run: () => import("../commands/image-manage.ts").then((m) => m.prune),
};

export const imageInspect: CommandDef = {
  use: "[OPTIONS] IMAGE [IMAGE...]",
  desc: "Display detailed information on one or more images",
  flags: [
    "f|format|string|@json||",
    "|platform|string|Inspect a specific platform of the multi-platform image. If the image or the server is not multi-platform capable, the command will error out if the platform does not match. 'os[/arch[/variant]]': Explicit platform (eg. linux/amd64)||",
  ],
  args: [1, Infinity],
  run: () => import("../commands/image-manage.ts").then((m) => m.inspect),
};

export const images: CommandDef = {
  use: "[OPTIONS] [REPOSITORY[:TAG]]",
  desc: "List images",
  aliases: "wharf image ls, wharf image list, wharf images",
  flags: [
    "a|all||Show all images (default hides intermediate images)||",
    "q|quiet||Only show image IDs||",
    "|digests||Show digests||",
    "|no-trunc||Don't truncate output||",
    "f|filter|filter|Filter output based on conditions provided||",
    "|format|string|@table||",
    "|tree||List multi-platform images as a tree (EXPERIMENTAL)||",
  ],
  args: [0, 1],
  run: () => import("../commands/images.ts").then((m) => m.images),
};

export const build: CommandDef = {
  use: "[OPTIONS] PATH | URL | -",
  desc: "Build an image from a Dockerfile",
  aliases: "wharf image build, wharf build, wharf builder build",
  flags: [
    "|add-host|list|Add a custom host-to-IP mapping (\"host:ip\")||",
    "|build-arg|list|Set build-time variables||",
    "f|file|string|Name of the Dockerfile (Default is \"PATH/Dockerfile\")||",
    "|force-rm||Always remove intermediate containers||",
    "|iidfile|string|Write the image ID to the file||",
    "|label|list|Set metadata for an image||",
    "|network|string|Set the networking mode for the RUN instructions during build|\"default\"|",
    "|no-cache||Do not use cache when building the image||",
    "|platform|string|Set platform if server is multi-platform capable||",
    "|pull||Always attempt to pull a newer version of the image||",
    "q|quiet||Suppress the build output and print image ID on success||",
    "|rm||Remove intermediate containers after a successful build|true|",
    "|shm-size|string|Size of \"/dev/shm\"||",
    "t|tag|list|Name and optionally a tag in the \"name:tag\" format||",
    "|target|string|Set the target build stage to build.||",
  ],
  args: [1, 1],
  run: () => import("../commands/build.ts").then((m) => m.build),
};

export const pull: CommandDef = {
  use: "[OPTIONS] NAME[:TAG|@DIGEST]",
  desc: "Download an image from a registry",
  aliases: "wharf image pull, wharf pull",
  flags: [
    "a|all-tags||Download all tagged images in the repository||",
    "q|quiet||Suppress verbose output||",
    "|platform|string|Set platform if server is multi-platform capable||",
  ],
  args: [1, 1],
  run: () => import("../commands/pull.ts").then((m) => m.pull),
};

export const push: CommandDef = {
  use: "[OPTIONS] NAME[:TAG]",
  desc: "Upload an image to a registry",
  aliases: "wharf image push, wharf push",
  flags: [
    "a|all-tags||Push all tags of an image to the repository||",
    "q|quiet||Suppress verbose output||",
    "|platform|string|Push a platform-specific manifest as a single-platform image to the registry. Image index won't be pushed, meaning that other manifests, including attestations won't be preserved. 'os[/arch[/variant]]': Explicit platform (eg. linux/amd64)||",
  ],
  args: [1, 1],
  run: () => import("../commands/push.ts").then((m) => m.push),
};

export const search: CommandDef = {
  use: "[OPTIONS] TERM",
  desc: "Search Docker Hub for images",
  flags: [
    "f|filter|filter|Filter output based on conditions provided||",
    "|format|string|Pretty-print search using a Go template||",
    "|limit|int|Max number of search results||",
    "|no-trunc||Don't truncate output||",
  ],
  args: [1, 1],
  run: () => import("../commands/search.ts").then((m) => m.search),
};

export const login: CommandDef = {
  use: "[OPTIONS] [SERVER]",
  desc: "Authenticate to a registry",
  flags: [
    "u|username|string|Username||",
    "p|password|string|Password or Personal Access Token (PAT)||",
    "|password-stdin||Take the Password or Personal Access Token (PAT) from stdin||",
  ],
  args: [0, 1],
  run: () => import("../commands/login.ts").then((m) => m.login),
};

export const logout: CommandDef = {
  use: "[SERVER]",
  desc: "Log out from a registry",
  args: [0, 1],
  run: () => import("../commands/login.ts").then((m) => m.logout),
};
