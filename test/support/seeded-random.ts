/** The one seeded PRNG tests and benchmarks use (mulberry32; not for secrets). */
export { seededRandom } from '../../src/fingerprint/template/synthetic.js';
