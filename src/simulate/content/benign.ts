import { mix32, Rng } from '../prng.js';
import { casualQuestion, problem, SUBJECTS, TOPICS, type Topic } from './topics.js';

/**
 * Prompt makers for legitimate users. Several of them share surface signals
 * with distillation on purpose — evaluation harnesses and research scripts ask
 * for step-by-step reasoning, batch jobs repeat one template thousands of times
 * — because a detector that only works when benign traffic looks nothing like
 * abuse would be measuring nothing.
 */
export interface Request {
  prompt: string;
  inTokens: number;
  outTokens: number;
}

/** Where in its schedule a request falls, for sources that walk a fixed item list. */
export interface RequestContext {
  /** Index of the request within its session (a job run, an evaluation run). */
  inSession: number;
}

export interface PromptSource {
  next(rng: Rng, ctx: RequestContext): Request;
}

/** Rough tokens for a prompt: about four characters per token in English. */
export function tokensOf(text: string): number {
  return Math.max(1, Math.round(text.length / 4));
}

const CASUAL_TOPICS: readonly Topic[] = ['everyday', 'writing', 'travel', 'medicine', 'finance', 'history', 'literature', 'code', 'math', 'biology', 'philosophy', 'business', 'geography', 'law', 'physics', 'chemistry'];
const CASUAL_WEIGHTS = [14, 12, 8, 5, 4, 4, 3, 3, 3, 2, 2, 2, 2, 2, 1, 1];

export function casualSource(): PromptSource {
  return {
    next(rng) {
      const prompt = casualQuestion(rng, rng.weighted(CASUAL_TOPICS, CASUAL_WEIGHTS));
      return { prompt, inTokens: tokensOf(prompt) + rng.int(0, 40), outTokens: Math.round(rng.lognormal(320, 0.5)) };
    },
  };
}

const LANGS = ['Python', 'TypeScript', 'Go', 'Rust', 'Java', 'C++', 'SQL', 'Kotlin'];
const ERRORS = ['KeyError', 'TypeError: undefined is not a function', 'a segmentation fault', 'a deadlock', 'NullPointerException', 'an off-by-one error', 'a borrow checker error', 'a timeout'];
const DEV_TOOL_PREFIXES = [
  'You are a senior software engineer. Review the following change and list concrete bugs:',
  'You are a coding assistant inside our IDE plugin. Complete the code at the cursor:',
  'Generate a concise commit message for this diff:',
  'Convert this code to idiomatic TypeScript with types:',
  'Write unit tests (vitest) for the function below:',
];

/** A developer: debugging and design questions, sometimes through their own tooling template. */
export function developerSource(actorKey: number): PromptSource {
  const h = mix32(actorKey, 0xdef);
  const tool = h % 10 < 4 ? DEV_TOOL_PREFIXES[(h >>> 4) % DEV_TOOL_PREFIXES.length] : undefined;
  const lang = LANGS[(h >>> 8) % LANGS.length] as string;
  return {
    next(rng) {
      let prompt: string;
      if (tool && rng.chance(0.6)) {
        prompt = `${tool}\n\nfunction handle${rng.pick(['Order', 'User', 'Event', 'Retry', 'Batch'])}(${rng.pick(['req', 'input', 'items', 'ctx'])}) { /* ${rng.int(5, 400)} lines of ${lang} */ }`;
      } else if (rng.chance(0.5)) {
        prompt = `Why does my ${lang} code throw ${rng.pick(ERRORS)} when I ${rng.pick(['iterate over a map', 'call the API twice', 'run the tests in parallel', 'deserialize the config', 'close the connection'])}? Here is the snippet: ${rng.pick(['for k in d: d.pop(k)', 'await Promise.all(xs.map(f))', 'let v = &mut self.items[i];', 'SELECT * FROM t JOIN u USING (id)', 'ch <- x // inside select'])}`;
      } else if (rng.chance(0.7)) {
        prompt = `How do I use ${rng.pick(SUBJECTS.code)} in ${lang}? ${rng.pick(['Show a minimal example.', 'What are the pitfalls?', 'Is there a library for it?', ''])}`;
      } else {
        prompt = rng.chance(0.5) ? problem(rng, 'code') : casualQuestion(rng, rng.pick(['business', 'writing', 'math'] as const));
      }
      return { prompt, inTokens: Math.round(rng.lognormal(500, 0.8)), outTokens: Math.round(rng.lognormal(380, 0.6)) };
    },
  };
}

const PRODUCTS = ['wireless earbuds', 'the mobile app', 'a standing desk', 'the delivery service', 'a coffee grinder', 'the subscription plan', 'hiking boots', 'the support chat'];
const OPINIONS = ['stopped working after a week', 'is exactly what I needed', 'arrived late and damaged', 'is fine but overpriced', 'exceeded my expectations', 'keeps logging me out', 'was refunded quickly', 'feels cheap'];

interface JobKind {
  topic: Topic;
  make(rng: Rng): string;
  out: [median: number, sigma: number];
}

/** Recurring document-processing jobs of enterprise customers. One template each, repeated at volume. */
const JOBS: readonly JobKind[] = [
  { topic: 'business', out: [3, 0.3], make: (r) => `Classify the following customer review as positive, negative or neutral. Reply with one word.\nReview: ${r.pick(PRODUCTS)} ${r.pick(OPINIONS)}. Order ${r.int(100000, 999999)}.` },
  { topic: 'business', out: [45, 0.4], make: (r) => `Summarize this support ticket in one sentence for the triage queue.\nTicket #${r.int(10000, 99999)}: Customer reports that ${r.pick(PRODUCTS)} ${r.pick(OPINIONS)} and asks for ${r.pick(['a refund', 'a replacement', 'a callback', 'an invoice copy'])}.` },
  { topic: 'finance', out: [60, 0.3], make: (r) => `Extract the invoice number, issue date and total amount as JSON.\nDocument: INVOICE INV-${r.int(1000, 99999)} dated 2025-0${r.int(1, 9)}-${r.int(10, 28)} total EUR ${r.int(50, 90000)}.${r.int(10, 99)} payable within ${r.pick([14, 30, 60])} days.` },
  { topic: 'business', out: [120, 0.4], make: (r) => `Translate the product description below into German, keeping the formatting.\n${r.pick(PRODUCTS)} — ${r.pick(['lightweight', 'durable', 'compact', 'premium'])}, ${r.int(1, 5)}-year warranty, ships in ${r.int(1, 9)} days.` },
  { topic: 'law', out: [80, 0.4], make: (r) => `Tag this contract clause with its type (termination, liability, payment, confidentiality) and risk level.\nClause ${r.int(1, 40)}.${r.int(1, 9)}: ${r.pick(['Either party may terminate with', 'Liability is capped at', 'Payment is due within', 'Confidential information excludes'])} ${r.int(10, 365)} days notice.` },
  { topic: 'medicine', out: [220, 0.3], make: (r) => `Read the insurance claim below. Think step by step about whether it matches a policy exclusion, then answer APPROVE or REVIEW.\nClaim ${r.int(100000, 999999)}: ${r.pick(['outpatient physiotherapy', 'emergency dental work', 'MRI of the knee', 'prescription refill'])}, amount ${r.int(80, 9000)} USD.` },
];

/** An enterprise batch job: the organisation's template, narrow domain, short outputs. */
export function enterpriseSource(orgKey: number, accountKey: number): PromptSource {
  const job = JOBS[(mix32(orgKey, 0x10b) + (mix32(accountKey, 1) % 2)) % JOBS.length] as JobKind;
  return {
    next(rng) {
      const prompt = job.make(rng);
      return { prompt, inTokens: tokensOf(prompt) + rng.int(200, 1200), outTokens: Math.max(1, Math.round(rng.lognormal(job.out[0], job.out[1]))) };
    },
  };
}

/**
 * An evaluation harness: a fixed benchmark walked in order on every run, so the
 * same prompts come back run after run. Some harnesses use chain-of-thought
 * prompting, exactly like a distiller would.
 */
export function evalHarnessSource(actorKey: number): PromptSource {
  const h = mix32(actorKey, 0xe7a1);
  const style = h % 10 < 3 ? 'cot' : h % 10 < 5 ? 'code' : 'mc';
  const items = 150 + ((h >>> 8) % 700);
  return {
    next(rng, ctx) {
      const item = new Rng(actorKey, ctx.inSession % items);
      if (style === 'mc') {
        const topic = item.pick(TOPICS);
        const prompt = `The following is a multiple choice question about ${topic}.\n\n${problem(item, topic)}\nA. ${item.pick(SUBJECTS[topic])}\nB. ${item.pick(SUBJECTS[topic])}\nC. ${item.pick(SUBJECTS[topic])}\nD. none of the above\nAnswer:`;
        return { prompt, inTokens: tokensOf(prompt), outTokens: rng.int(1, 3) };
      }
      if (style === 'cot') {
        const prompt = `Q: ${problem(item, item.pick(['math', 'physics', 'chemistry', 'finance'] as const))}\nA: Let's think step by step.`;
        return { prompt, inTokens: tokensOf(prompt), outTokens: Math.round(rng.lognormal(260, 0.4)) };
      }
      const prompt = `Complete the following Python function so that the tests pass.\n\ndef task_${ctx.inSession % items}(xs):\n    """${problem(item, 'code')}"""\n`;
      return { prompt, inTokens: tokensOf(prompt), outTokens: Math.round(rng.lognormal(140, 0.5)) };
    },
  };
}

const RAG_DOMAINS: readonly { topic: Topic; product: string; questions: readonly string[] }[] = [
  { topic: 'travel', product: 'TripDesk booking help centre', questions: ['Can I change my flight date after booking?', 'How do I add checked luggage?', 'What is the cancellation policy for hotels?', 'Do you offer travel insurance?'] },
  { topic: 'finance', product: 'Ledgerly banking app FAQ', questions: ['How do I raise my card limit?', 'Why was my transfer delayed?', 'What are the fees for international payments?', 'How do I dispute a charge?'] },
  { topic: 'business', product: 'PeopleFirst HR policy handbook', questions: ['How many vacation days do I get?', 'What is the parental leave policy?', 'How do I submit expenses?', 'Can I work remotely from abroad?'] },
  { topic: 'medicine', product: 'CareLine patient information leaflets', questions: ['Can I take this with ibuprofen?', 'What are the common side effects?', 'How should I store the medication?', 'What if I miss a dose?'] },
  { topic: 'law', product: 'CaseNote legal research digest', questions: ['What did the court hold on the duty of care?', 'Which precedent applies to late delivery?', 'Summarize the dissent.', 'What damages were awarded?'] },
  { topic: 'code', product: 'DevDocs API reference', questions: ['How do I paginate list endpoints?', 'What does error 429 mean?', 'How do I rotate an API token?', 'Is there a webhook for refunds?'] },
];

/** A retrieval-augmented product: its own fixed template, long retrieved context, its users' questions. */
export function ragSource(orgKey: number): PromptSource {
  const domain = RAG_DOMAINS[mix32(orgKey, 0x4a6) % RAG_DOMAINS.length] as (typeof RAG_DOMAINS)[number];
  return {
    next(rng) {
      const q = rng.pick(domain.questions);
      const prompt = `Answer the customer's question using only the context below. If the answer is not in the context, say you don't know.\n\nContext: [${domain.product}, doc ${rng.int(1, 4000)}] …\n\nQuestion: ${q}${rng.chance(0.3) ? ' ' + rng.pick(['thanks', 'asap please', 'I tried already', 'for my account']) : ''}`;
      return { prompt, inTokens: rng.int(1500, 4000), outTokens: Math.round(rng.lognormal(180, 0.5)) };
    },
  };
}

const OCCUPATIONS = ['nurse', 'teacher', 'farmer', 'software engineer', 'retired electrician', 'student', 'small business owner', 'bus driver'];
const PLACES = ['Ohio', 'Lagos', 'Bavaria', 'Kerala', 'Sao Paulo', 'Osaka', 'Ontario', 'Andalusia'];

/**
 * Academic research: scripted experiments over datasets. A good share of
 * projects study reasoning and ask for step-by-step answers at volume — the
 * population a naive distillation detector flags first.
 */
export function academicSource(actorKey: number): PromptSource {
  const h = mix32(actorKey, 0xac4d);
  const project = h % 10 < 4 ? 'cot' : h % 10 < 6 ? 'annotate' : h % 10 < 8 ? 'survey' : 'translate';
  const field = (['math', 'physics', 'chemistry', 'biology', 'medicine'] as const)[(h >>> 8) % 5] as Topic;
  return {
    next(rng) {
      let prompt: string;
      let out: number;
      switch (project) {
        case 'cot':
          prompt = `Solve the following problem. Show your reasoning step by step, then give the final answer on its own line.\nProblem: ${problem(rng, rng.chance(0.7) ? field : 'math')}`;
          out = rng.lognormal(900, 0.5);
          break;
        case 'annotate':
          prompt = `Rate the toxicity of the following comment from 1 (harmless) to 5 (severe). Answer with a number only.\nComment: "${casualQuestion(rng, rng.pick(TOPICS))}"`;
          out = rng.int(1, 2);
          break;
        case 'survey':
          prompt = `You are a ${rng.int(18, 80)}-year-old ${rng.pick(OCCUPATIONS)} from ${rng.pick(PLACES)}. Answer the survey question honestly in two sentences: How do you feel about ${rng.pick(SUBJECTS.business)}?`;
          out = rng.lognormal(60, 0.3);
          break;
        default:
          prompt = `Translate into French, preserving tone: "${casualQuestion(rng, rng.pick(['everyday', 'travel', 'writing'] as const))}"`;
          out = rng.lognormal(40, 0.4);
      }
      return { prompt, inTokens: tokensOf(prompt), outTokens: Math.max(1, Math.round(out)) };
    },
  };
}
