/**
 * A small topic lexicon: which subject area a prompt is about, from the first
 * keyword-bearing words. Coarse on purpose — the detector only needs the
 * shape of an account's topic mix (one narrow capability, an even sweep over
 * everything, or the scatter of ordinary use), not a classifier.
 */
export const TOPIC_NAMES = [
  'math', 'code', 'physics', 'chemistry', 'biology', 'medicine', 'law', 'finance',
  'history', 'geography', 'literature', 'philosophy', 'everyday', 'writing', 'business', 'travel',
] as const;
export const TOPIC_COUNT = TOPIC_NAMES.length;

const LEXICON: Record<(typeof TOPIC_NAMES)[number], string> = {
  math: 'math maths mathematics algebra equation equations integral integrals integration derivative derivatives calculus theorem theorems proof prove prime primes probability matrix matrices eigenvalue eigenvalues eigenvector polynomial quadratic geometric geometry series arithmetic modular factorization divisible integers induction binomial combinatorics pigeonhole logarithm trigonometry',
  code: 'code coding python javascript typescript java kotlin rust golang sql function functions algorithm algorithms recursion array arrays compile compiler debug bug bugs api endpoint database query queries thread threads async await git fibonacci cache lru subsequence graph nodes hash hashmap react snippet refactor regex',
  physics: 'physics velocity acceleration force momentum newton quantum entanglement photon photons photoelectric relativity spaceship thermodynamic thermodynamics entropy electromagnetic induction projectile gravity gravitational wavelength incline friction doppler superconductivity hole',
  chemistry: 'chemistry chemical molecule molecules covalent bond bonds reaction reactions kinetics buffer acid acidic oxidation electronegativity molar solution catalyst catalysts polymer combustion compound compounds hbr nacl propene styrene cyclohexene functional',
  biology: 'biology dna rna gene genes genetic cell cells cellular mitosis meiosis protein proteins photosynthesis evolution selection immune microbiome crispr enzyme organism organisms respiration',
  medicine: 'medicine medical medication patient patients symptom symptoms diagnosis disease diseases hypertension diabetes antibiotic antibiotics vaccine vaccines migraine cardiovascular drug drugs clinical trial dose doses apnea vitamin deficiency ibuprofen physiotherapy mri dental prescription',
  law: 'law legal court courts contract contracts clause clauses copyright tenant tenants negligence liability gdpr appeal appeals lawsuit statute precedent intellectual licensing termination compete damages dissent attorney',
  finance: 'finance financial interest compound invest investing investment investments fund funds index stock stocks bond bonds yield yields coupon portfolio diversification retirement mortgage amortization inflation balance cash valuation dividend invoice banking transfer fees loan',
  history: 'history historical empire roman revolution industrial war cold french silk printing meiji ottoman renaissance hanseatic medieval dynasty century ancient colonial',
  geography: 'geography tectonics plate monsoon climate climates delta deltas river rivers population density mountains andes desertification ocean currents urbanization glacier glaciers continent mediterranean',
  literature: 'literature novel novels poem poems poetry poet sonnet sonnets shakespeare gatsby narrator fiction realism romantic dostoevsky irony epistolary modernist symbolism',
  philosophy: 'philosophy philosophical ethics ethical kant categorical utilitarian utilitarianism trolley determinism plato existentialism epistemology metaphysics relativism moral theseus consciousness',
  everyday: 'dinner recipe recipes cooking cook vegetarian meal gift gifts birthday stain cleaning running houseplants plants toddler sleep door squeaky groceries grocery apartment declutter decluttering laundry workout',
  writing: 'write essay letter email cover toast wedding story linkedin apology message resignation speech thank note poem draft proofread',
  business: 'business market marketing strategy customer customers churn okrs pricing saas supply chain swot hiring sales revenue startup vendor negotiation board agenda economics review ticket product support survey',
  travel: 'travel trip itinerary flight flights visa vacation hotel hotels packing road train trains lisbon tokyo scotland italy patagonia hiking passport luggage booking jet lag',
};

/** Open-addressing table from a word's hash to its topic: lookups without allocating substrings. */
const TABLE_BITS = 12;
const TABLE_SIZE = 1 << TABLE_BITS;
const keys = new Int32Array(TABLE_SIZE);
const topics = new Int8Array(TABLE_SIZE).fill(-1);

/** The word hash the scanner computes incrementally (must match wordHashStep/wordHashEnd). */
export const WORD_SEED = 0x3c6ef372;
export function wordHashStep(h: number, lowerCode: number): number {
  return Math.imul(h ^ lowerCode, 0x01000193);
}
export function wordHashEnd(h: number, length: number): number {
  h ^= length;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  return (h ^ (h >>> 13)) | 0;
}

function hashWord(word: string): number {
  let h = WORD_SEED;
  for (let i = 0; i < word.length; i++) h = wordHashStep(h, word.charCodeAt(i));
  return wordHashEnd(h, word.length);
}

TOPIC_NAMES.forEach((topic, t) => {
  for (const word of (LEXICON[topic] ?? '').split(/\s+/)) {
    if (!word) continue;
    const h = hashWord(word);
    let slot = h & (TABLE_SIZE - 1);
    while (topics[slot] !== -1 && keys[slot] !== h) slot = (slot + 1) & (TABLE_SIZE - 1);
    if (topics[slot] === -1) {
      keys[slot] = h;
      topics[slot] = t;
    }
  }
});

/** The topic of a word hash, or -1. */
export function topicOfWord(h: number): number {
  let slot = h & (TABLE_SIZE - 1);
  for (;;) {
    const t = topics[slot] as number;
    if (t === -1) return -1;
    if (keys[slot] === h) return t;
    slot = (slot + 1) & (TABLE_SIZE - 1);
  }
}
