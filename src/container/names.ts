// Docker-style generated names: adjective_surname of a notable scientist or engineer.
const adjectives = [
  "admiring", "adoring", "affectionate", "agitated", "amazing", "angry", "awesome", "beautiful",
  "blissful", "bold", "boring", "brave", "busy", "charming", "clever", "compassionate", "competent",
  "condescending", "confident", "cool", "cranky", "crazy", "dazzling", "determined", "distracted",
  "dreamy", "eager", "ecstatic", "elastic", "elated", "elegant", "eloquent", "epic", "exciting",
  "fervent", "festive", "flamboyant", "focused", "friendly", "frosty", "funny", "gallant", "gifted",
  "goofy", "gracious", "great", "happy", "hardcore", "heuristic", "hopeful", "hungry", "infallible",
  "inspiring", "intelligent", "interesting", "jolly", "jovial", "keen", "kind", "laughing", "loving",
  "lucid", "magical", "modest", "musing", "mystifying", "naughty", "nervous", "nice", "nifty",
  "nostalgic", "objective", "optimistic", "peaceful", "pedantic", "pensive", "practical", "priceless",
  "quirky", "quizzical", "recursing", "relaxed", "reverent", "romantic", "sad", "serene", "sharp",
  "silly", "sleepy", "stoic", "strange", "stupefied", "suspicious", "sweet", "tender", "thirsty",
  "trusting", "unruffled", "upbeat", "vibrant", "vigilant", "vigorous", "wizardly", "wonderful",
  "xenodochial", "youthful", "zealous", "zen",
];

const surnames = [
  "agnesi", "albattani", "allen", "almeida", "archimedes", "ardinghelli", "aryabhata", "austin",
  "babbage", "banach", "bardeen", "bartik", "bassi", "bell", "benz", "bhabha", "bhaskara", "blackwell",
  "bohr", "booth", "borg", "bose", "boyd", "brahmagupta", "brattain", "brown", "carson", "cerf",
  "chandrasekhar", "chatelet", "chaum", "clarke", "colden", "cori", "cray", "curie", "darwin",
  "davinci", "dijkstra", "dirac", "driscoll", "dubinsky", "easley", "edison", "einstein", "elion",
  "engelbart", "euclid", "euler", "faraday", "fermat", "fermi", "feynman", "franklin", "galileo",
  "gates", "gauss", "germain", "goldberg", "goldstine", "goodall", "gould", "heisenberg", "hellman",
  "hermann", "herschel", "hodgkin", "hofstadter", "hoover", "hopper", "hugle", "hypatia", "jackson",
  "jang", "jennings", "jepsen", "johnson", "joliot", "jones", "kalam", "kapitsa", "keller", "kepler",
  "khorana", "kilby", "kirch", "knuth", "kowalevski", "lalande", "lamarr", "lamport", "leakey",
  "leavitt", "lehmann", "lewin", "lichterman", "liskov", "lovelace", "lumiere", "mahavira",
  "margulis", "matsumoto", "maxwell", "mayer", "mccarthy", "mcclintock", "mclean", "meitner",
  "mendel", "mendeleev", "merkle", "mirzakhani", "montalcini", "moore", "morse", "napier", "nash",
  "neumann", "newton", "nobel", "noether", "northcutt", "noyce", "pascal", "pasteur", "payne",
  "perlman", "pike", "poincare", "ptolemy", "raman", "ramanujan", "ride", "ritchie", "robinson",
  "roentgen", "rosalind", "saha", "sammet", "shamir", "shannon", "shaw", "shirley", "shockley",
  "sinoussi", "snyder", "spence", "stonebraker", "sutherland", "swanson", "swartz", "taussig",
  "tesla", "thompson", "torvalds", "turing", "varahamihira", "visvesvaraya", "volhard", "wescoff",
  "wiles", "williams", "wilson", "wing", "wozniak", "wright", "wu", "yalow", "yonath",
];

const pick = <T>(a: readonly T[]): T => a[Math.floor(Math.random() * a.length)]!;

/** A name; after a clash the caller asks again with `retry` > 0, which appends a digit. */
export function generateName(retry = 0): string {
  let name = `${pick(adjectives)}_${pick(surnames)}`;
  // Steve Wozniak is not boring.
  if (name === "boring_wozniak") name = "eager_wozniak";
  return retry > 0 ? `${name}${Math.floor(Math.random() * 10)}` : name;
}

/** Docker's rule for user-given names (a leading `/` is allowed and dropped). */
export const validContainerName = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
