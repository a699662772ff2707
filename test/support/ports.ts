export { freePort } from '../../src/federation/node/free-port.js';
