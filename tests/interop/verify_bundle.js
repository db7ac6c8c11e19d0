// Verifies one Sigstore bundle with sigstore-js (@sigstore/verify), trusting one public key.
// Usage: node verify_bundle.js BUNDLE PUBLIC_KEY_PEM [ARTIFACT]
// The key is offered only for the hint base64(sha256(DER SPKI)), so the hint is checked too.
// Prints "OK" and exits 0 when the bundle verifies; prints the error and exits 1 otherwise.
'use strict';
const fs = require('fs');
const crypto = require('crypto');
const { bundleFromJSON } = require('@sigstore/bundle');
const { Verifier, toSignedEntity, toTrustMaterial } = require('@sigstore/verify');

const [bundlePath, keyPath, artifactPath] = process.argv.slice(2);
try {
  const bundle = bundleFromJSON(JSON.parse(fs.readFileSync(bundlePath, 'utf8')));
  const publicKey = crypto.createPublicKey(fs.readFileSync(keyPath));
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const expectedHint = crypto.createHash('sha256').update(der).digest('base64');
  const root = { tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [] };
  const keys = (hint) => {
    if (hint !== expectedHint) {
      throw new Error(`no trusted key for hint ${hint}`);
    }
    return { publicKey, validFor: () => true };
  };
  const verifier = new Verifier(toTrustMaterial(root, keys), {
    tlogThreshold: 0,
    ctlogThreshold: 0,
    timestampThreshold: 0,
  });
  const artifact = artifactPath ? fs.readFileSync(artifactPath) : undefined;
  verifier.verify(toSignedEntity(bundle, artifact));
  console.log('OK');
} catch (err) {
  console.log(`REFUSED: ${err && err.message ? err.message : err}`);
  process.exit(1);
}
