import { describe, expect, it } from 'vitest';
import { endpointProblem } from './endpoint-policy';

describe('endpointProblem', () => {
  it.each([
    'https://fcm.googleapis.com/fcm/send/abc',
    'https://updates.push.services.mozilla.com/wpush/v2/abc',
    'https://web.push.apple.com/QGx',
    'https://db5p.notify.windows.com/w/?token=abc',
  ])('accepts the push service %s', (endpoint) => {
    expect(endpointProblem(endpoint, false)).toBeNull();
  });

  it.each([
    'http://fcm.googleapis.com/fcm/send/abc',
    'https://fcm.googleapis.com:8443/x',
    'https://user:pw@fcm.googleapis.com/x',
    'https://127.0.0.1/x',
    'https://localhost/x',
    'https://[::1]/x',
    'https://10.0.0.5/x',
    'https://192.168.1.1/x',
    'https://169.254.169.254/latest/meta-data',
    'https://[fd00::1]/x',
    'https://intranet/x',
    'not a url',
  ])('refuses %s', (endpoint) => {
    expect(endpointProblem(endpoint, false)).not.toBeNull();
  });

  it('admits loopback, over http too, only with the development allowance', () => {
    expect(endpointProblem('http://127.0.0.1:8123/push/1', true)).toBeNull();
    expect(endpointProblem('http://localhost:8123/push/1', true)).toBeNull();
    expect(endpointProblem('http://10.0.0.5/push/1', true)).not.toBeNull();
    expect(endpointProblem('http://127.0.0.1:8123/push/1', false)).not.toBeNull();
  });
});
