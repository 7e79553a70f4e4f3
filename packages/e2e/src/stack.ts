/**
 * The e2e specs' stack lives in @pychat/testkit: the built server as a process (`startInstance`), the
 * protocol client (`TestClient`) and the REST helpers. Re-exported so the specs keep one import.
 */
export {
  api,
  freePort,
  NO_RATE_LIMITS,
  signUp,
  startInstance,
  tempDir,
  TestClient,
  uniqueName,
  type Instance,
} from '@pychat/testkit';
