/**
 * The e2e specs' stack lives in @pychat/testkit: the built server as a process (`startInstance`), the
 * protocol client (`TestClient`) and the REST helpers. Re-exported so the specs keep one import.
 */
export {
  api,
  freePort,
  linkIn,
  NO_RATE_LIMITS,
  signUp,
  startInstance,
  startMailCatcher,
  tempDir,
  TestClient,
  uniqueName,
  type Instance,
  type MailCatcher,
} from '@pychat/testkit';
