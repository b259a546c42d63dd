// Small re-exports for tests that manage their own server processes.
export { newClient } from './helpers.mjs';
export { QUIVER_BIN as QUIVER_BIN_FOR_TESTS } from './server.mjs';
