import { DeliveryError } from './delivery-error';
import { scrubbedError, scrubSecrets, secretValuesOf } from './scrub-secrets';

describe('scrubSecrets', () => {
  it('removes secret parameters a token endpoint echoes back', () => {
    const text = 'invalid_grant: grant_type=refresh_token&refresh_token=5Aep861abc.def&client_id=cid&client_secret=S3CR3T-value';
    expect(scrubSecrets(text)).toBe('invalid_grant: grant_type=refresh_token&refresh_token=[redacted]&client_id=cid&client_secret=[redacted]');
  });

  it('removes secret fields of a JSON answer, bearer tokens and passwords', () => {
    const text = '{"access_token":"00Dxx!AQ4AQ","password":"hunter22","note":"ok"} sent Authorization: Bearer eyJhbGciOi.J9.x';
    expect(scrubSecrets(text)).toBe('{"access_token":"[redacted]","password":"[redacted]","note":"ok"} sent Authorization: Bearer [redacted]');
  });

  it("removes the destination's own credential values, also URL- or base64-encoded", () => {
    const secrets = secretValuesOf({ type: 'basic', username: 'crm-user', password: 'p@ss word!' });
    const basic = Buffer.from('p@ss word!').toString('base64').replace(/=+$/, '');
    const text = `echo: p@ss word! / ${encodeURIComponent('p@ss word!')} / ${basic}`;
    expect(scrubSecrets(text, secrets)).toBe('echo: [redacted] / [redacted] / [redacted]');
  });

  it('gives an error with the same code and retry decision and a scrubbed message', () => {
    const err = new DeliveryError({ code: 'HTTP_400', message: 'destination answered 400: token=tok-123456', retryable: false, statusCode: 400 });
    const scrubbed = scrubbedError(err, ['tok-123456']);
    expect(scrubbed).toMatchObject({ code: 'HTTP_400', retryable: false, statusCode: 400, message: 'destination answered 400: token=[redacted]' });
    expect(scrubbed.stack).not.toContain('tok-123456');
  });
});
