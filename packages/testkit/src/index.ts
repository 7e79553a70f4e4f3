/**
 * @pychat/testkit: what every suite that talks to a Pychat server shares (backend medium, e2e, the bench's
 * setup). See docs/testing.md#the-test-kit.
 */
export * from './client';
export * from './http';
export * from './instance';
export * from './net';
export * from './redis';
export * from './mail';
export * from './oidc';
export * from './facebook';
export * from './recaptcha';
