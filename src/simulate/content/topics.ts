import type { Rng } from '../prng.js';

/**
 * What simulated prompts are about. Each topic has subjects (noun phrases a
 * real user would write) and, for the quantitative topics, problem makers
 * with numbers, so prompts vary without being random noise.
 */
export const TOPICS = [
  'math', 'code', 'physics', 'chemistry', 'biology', 'medicine', 'law', 'finance',
  'history', 'geography', 'literature', 'philosophy', 'everyday', 'writing', 'business', 'travel',
] as const;
export type Topic = (typeof TOPICS)[number];

export const SUBJECTS: Record<Topic, readonly string[]> = {
  math: ['the quadratic formula', 'prime factorization', 'conditional probability', 'integration by parts', 'eigenvalues of a matrix', 'the pigeonhole principle', 'a geometric series', 'modular arithmetic', 'the binomial theorem', "Bayes' theorem", 'a proof by induction', 'the derivative of a composite function'],
  code: ['a binary search tree', 'async/await in JavaScript', 'Python list comprehensions', 'SQL joins', 'recursion', 'a hash map', "Rust's borrow checker", 'REST API pagination', 'git rebase', 'memory leaks in C++', 'a React useEffect hook', 'a race condition between threads'],
  physics: ["Newton's second law", 'quantum entanglement', 'the photoelectric effect', 'special relativity', 'thermodynamic entropy', 'electromagnetic induction', 'projectile motion', 'a black hole event horizon', 'the Doppler effect', 'superconductivity'],
  chemistry: ['covalent bonds', 'reaction kinetics', 'pH and buffer solutions', 'oxidation states', "Le Chatelier's principle", 'organic functional groups', 'electronegativity', 'molar mass', 'catalysts', 'polymer chemistry'],
  biology: ['DNA replication', 'natural selection', 'cellular respiration', 'the adaptive immune response', 'photosynthesis', 'protein folding', 'mitosis and meiosis', 'gene expression', 'the gut microbiome', 'CRISPR gene editing'],
  medicine: ['hypertension treatment', 'type 2 diabetes', 'antibiotic resistance', 'vaccine efficacy', 'migraine symptoms', 'the cardiovascular system', 'drug interactions', 'clinical trial phases', 'sleep apnea', 'vitamin D deficiency'],
  law: ['consideration in contract law', 'copyright fair use', 'tenant rights', 'negligence liability', 'GDPR data subject rights', 'the appeals process', 'intellectual property licensing', 'wrongful termination', 'a non-compete clause', 'the statute of limitations'],
  finance: ['compound interest', 'index funds', 'option pricing', 'inflation and interest rates', 'a balance sheet', 'bond yields', 'portfolio diversification', 'a retirement account', 'mortgage amortization', 'a discounted cash flow valuation'],
  history: ['the fall of the Roman Empire', 'the Industrial Revolution', 'the Cold War', 'the French Revolution', 'the Silk Road', 'the printing press', 'the Meiji Restoration', 'the Ottoman Empire', 'the Renaissance', 'the Hanseatic League'],
  geography: ['plate tectonics', 'monsoon climates', 'river deltas', 'population density', 'the Andes mountains', 'desertification', 'ocean currents', 'urbanization in Africa', 'glacier retreat', 'the Mediterranean climate'],
  literature: ['symbolism in The Great Gatsby', "Shakespeare's sonnets", 'the unreliable narrator', 'magical realism', "the hero's journey", 'Romantic poetry', "Dostoevsky's novels", 'dramatic irony', 'the epistolary novel', 'modernist poetry'],
  philosophy: ["Kant's categorical imperative", 'utilitarian ethics', 'the trolley problem', 'free will and determinism', "Plato's theory of forms", 'existentialism', 'the mind-body problem', 'epistemology', 'moral relativism', 'the ship of Theseus'],
  everyday: ['a quick vegetarian dinner', 'a birthday gift for my dad', 'removing a red wine stain', 'a beginner running plan', 'houseplants that need little light', 'meal prep for a busy week', 'getting a toddler to sleep', 'fixing a squeaky door', 'a budget for groceries', 'decluttering a small apartment'],
  writing: ['a cover letter for a marketing job', 'a polite email to my landlord', 'a wedding toast', 'the opening of a short story', 'a LinkedIn summary', 'an apology message to a friend', 'a product description', 'a resignation letter', 'a thank-you note to a teacher', 'a speech for a retirement party'],
  business: ['a go-to-market strategy', 'customer churn', 'OKRs for a small team', 'pricing a SaaS product', 'supply chain risk', 'a SWOT analysis', 'hiring a first sales rep', 'unit economics', 'a board meeting agenda', 'vendor negotiation'],
  travel: ['a 3-day itinerary in Lisbon', 'packing for a winter trip', 'cheap flights to Tokyo', 'visa requirements for Canada', 'a road trip through Scotland', 'traveling with a dog', 'jet lag', 'train travel in Italy', 'a weekend in Mexico City', 'hiking in Patagonia'],
};

/** A quantitative problem for the topics that have them; a conceptual question otherwise. */
export function problem(rng: Rng, topic: Topic): string {
  const a = rng.int(2, 97);
  const b = rng.int(2, 60);
  const c = rng.int(3, 500);
  switch (topic) {
    case 'math':
      return rng.pick([
        `Find all real solutions of x^2 - ${a}x + ${b} = 0.`,
        `A bag has ${a} red and ${b} blue marbles. Two are drawn without replacement; what is the probability both are red?`,
        `Prove that the sum of the first ${b} odd numbers is a perfect square.`,
        `Compute the integral of x * e^(${b % 9 + 1}x) from 0 to 1.`,
        `How many integers between 1 and ${c * 10} are divisible by ${b % 11 + 2} but not by ${a % 7 + 3}?`,
        `Find the eigenvalues of the matrix [[${a % 9}, ${b % 7}], [${c % 5}, ${a % 4}]].`,
      ]);
    case 'code':
      return rng.pick([
        `Write a function that returns the ${b}th Fibonacci number in O(log n) time.`,
        `Implement an LRU cache with capacity ${b} in Python and analyse its complexity.`,
        `Given an array of ${c} integers, find the longest increasing subsequence. Explain the algorithm.`,
        `Design a rate limiter that allows ${a} requests per minute per user.`,
        `Write a SQL query that returns the top ${b % 10 + 3} customers by revenue per region.`,
        `Detect a cycle in a directed graph with ${c} nodes and explain the algorithm's complexity.`,
      ]);
    case 'physics':
      return rng.pick([
        `A ball is thrown at ${b} m/s at ${a % 60 + 15} degrees. How far does it travel?`,
        `A ${a} kg block slides down a ${b % 40 + 10} degree incline with friction coefficient 0.${b % 9 + 1}. Find its acceleration.`,
        `What is the wavelength of a photon with energy ${b % 9 + 1}.${a % 10} eV?`,
        `A spaceship moves at 0.${a % 9 + 1}c. How much time passes on board during ${b} years on Earth?`,
      ]);
    case 'chemistry':
      return rng.pick([
        `What is the pH of a 0.0${b % 9 + 1} M acetic acid solution (Ka = 1.8e-5)?`,
        `Balance the equation for the combustion of C${b % 8 + 1}H${(b % 8 + 1) * 2 + 2}.`,
        `How many grams of NaCl are needed for ${c} mL of a ${b % 5 + 1} M solution?`,
        `Predict the major product of adding HBr to ${rng.pick(['propene', '2-methylpropene', 'styrene', 'cyclohexene'])}.`,
      ]);
    case 'finance':
      return rng.pick([
        `What is ${c * 10} dollars worth after ${b % 30 + 1} years at ${a % 9 + 1}% compounded monthly?`,
        `A bond pays a ${a % 8 + 1}% coupon, has ${b % 20 + 1} years to maturity and trades at ${90 + (a % 20)}. What is its yield?`,
        `Value a company with free cash flow of ${c} million growing ${a % 6 + 1}% a year at a ${b % 6 + 7}% discount rate.`,
      ]);
    default: {
      const s = rng.pick(SUBJECTS[topic]);
      return rng.pick([
        `Explain ${s} in depth.`,
        `What are the strongest arguments for and against the standard view of ${s}?`,
        `Analyse ${s} and its consequences.`,
        `Compare ${s} with ${rng.pick(SUBJECTS[topic])}.`,
      ]);
    }
  }
}

/** A short, everyday question about a subject, the way people type into a chat box. */
export function casualQuestion(rng: Rng, topic: Topic): string {
  const s = rng.pick(SUBJECTS[topic]);
  const frame = rng.int(0, 11);
  const tail = rng.chance(0.35) ? ' ' + rng.pick([`I have about ${rng.int(10, 90)} minutes.`, `It's for ${rng.int(2, 12)} people.`, `Keep it under ${rng.int(50, 300)} words.`, 'Thanks!', 'Please keep it simple.', 'My teacher asked about this.', `Budget is around $${rng.int(20, 900)}.`, 'in bullet points please']) : '';
  switch (frame) {
    case 0: return `can you help me with ${s}?${tail}`;
    case 1: return `What's the best way to think about ${s}?${tail}`;
    case 2: return `Give me a few ideas for ${s}.${tail}`;
    case 3: return `explain ${s} like I'm ${rng.int(8, 15)}${tail}`;
    case 4: return `Write ${s}.${tail}`;
    case 5: return `I'm confused about ${s}, where should I start?${tail}`;
    case 6: return `is it true that ${s} is overrated?${tail}`;
    case 7: return `Quick question about ${s}: what do most people get wrong?${tail}`;
    case 8: return `hey, my friend and I were arguing about ${s}. who is right?${tail}`;
    case 9: return `Summarize ${s} in ${rng.int(3, 6)} sentences.${tail}`;
    case 10: return `how would you explain ${s} step by step?${tail}`;
    default: return `Tell me something interesting about ${s}.${tail}`;
  }
}
