// A wrong SASL password on the second driver: @platformatic/kafka reports it as the cause of a failed
// connection inside "Cannot connect to any broker", and its own findBy does not follow causes, so the
// driver took it for an unreachable broker and waited out brokerStartupTimeoutMs (30 s) before failing
// with FG_BROKER_UNREACHABLE (found by the secure-Kafka CLI test run on this driver). The shape below is
// what a real SASL_SSL broker answered (Kafka 3.9.1, SCRAM-SHA-256, wrong password), built from the
// client's own error classes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthenticationError, MultipleErrors, NetworkError, ProtocolError } from '@platformatic/kafka';
import { isAuthenticationError } from '../../../runtime/src/transport/platformatic/errors.js';

test('refused credentials are recognised through the causes of a failed connection', () => {
  const refused = new MultipleErrors('Cannot connect to any broker.', [
    new NetworkError('Connection to 127.0.0.1:41403 failed.', {
      cause: new AuthenticationError('SASL authentication failed.', {
        cause: new MultipleErrors('Received response with error while executing API SaslAuthenticate(v2)', [new ProtocolError('SASL_AUTHENTICATION_FAILED')]),
      }),
    }),
  ]);
  assert.equal(isAuthenticationError(refused), true);
  const unreachable = new MultipleErrors('Cannot connect to any broker.', [new NetworkError('Connection to 127.0.0.1:9 failed.', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }) })]);
  assert.equal(isAuthenticationError(unreachable), false);
});
