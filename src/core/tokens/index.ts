export * from './keyring.js';
export * from './token-codec.js';
