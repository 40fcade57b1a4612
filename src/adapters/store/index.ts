export { openStore } from './open-store.js';
