// A real OpenID Connect provider for the integration tests: panva's oidc-provider (certified),
// authorization code flow with PKCE required, open dynamic client registration (each test
// registers a client whose redirect URI is its own server), RP-initiated logout.
//
// Its login page stands in for a school's digital workspace: the test says who the student is
// (sub, given_name, family_name, birthdate). A "trap" field makes the provider misbehave on
// purpose for the bad-case tests: the ID token it returns is re-signed with its own key after
// changing the audience, the expiry or the nonce, so only the client's validation can catch it.
//
// It prints the port it listens on, then serves until its stdin closes (the test binary exited).

import http from 'node:http';
import { randomUUID } from 'node:crypto';
import Provider from 'oidc-provider';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, SignJWT } from 'jose';

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'RS256', use: 'sig' };
const signingKey = await importJWK(jwk, 'RS256');

// sub -> { claims, trap }
const accounts = new Map();

const server = http.createServer();
await new Promise((resolve) => server.listen(Number(process.env.PORT || 0), '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  jwks: { keys: [jwk] },
  cookies: { keys: [randomUUID()] },
  features: {
    devInteractions: { enabled: false },
    registration: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  pkce: { required: () => true },
  claims: {
    openid: ['sub'],
    profile: ['given_name', 'family_name', 'birthdate'],
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    const account = accounts.get(sub);
    if (!account) return undefined;
    return { accountId: sub, claims: async () => ({ sub, ...account.claims }) };
  },
  // Students are not asked to consent for their school's own services.
  async loadExistingGrant(ctx) {
    const existing = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (existing) return ctx.oidc.provider.Grant.find(existing);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope(ctx.oidc.params.scope || 'openid');
    await grant.save();
    return grant;
  },
});

// The traps: re-sign the ID token the token endpoint is about to return.
provider.use(async (ctx, next) => {
  await next();
  if (ctx.path !== '/token' || !ctx.body || typeof ctx.body.id_token !== 'string') return;
  const claims = decodeJwt(ctx.body.id_token);
  const trap = accounts.get(claims.sub)?.trap;
  if (!trap) return;
  const now = Math.floor(Date.now() / 1000);
  if (trap === 'audience') claims.aud = 'un-autre-service';
  if (trap === 'expired') { claims.iat = now - 7200; claims.exp = now - 3600; }
  if (trap === 'nonce') claims.nonce = 'pas-le-bon-nonce';
  const { kid } = decodeProtectedHeader(ctx.body.id_token);
  ctx.body.id_token = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).sign(signingKey);
});

const escape = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return Object.fromEntries(new URLSearchParams(body));
}

async function interaction(req, res) {
  try {
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'GET') {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(`<!doctype html><html lang="fr"><head><title>ENT de test</title></head><body>
<main><h1>ENT de test : connexion</h1>
<form method="post" action="/interaction/${escape(details.uid)}">
<label>Identifiant ENT <input name="sub" required></label>
<label>Prénom <input name="given_name"></label>
<label>Nom <input name="family_name"></label>
<label>Date de naissance <input name="birthdate" placeholder="AAAA-MM-JJ"></label>
<input type="hidden" name="trap" value="">
<button type="submit">Se connecter</button>
</form></main></body></html>`);
      return;
    }
    const form = await readForm(req);
    const claims = {};
    for (const k of ['given_name', 'family_name', 'birthdate']) if (form[k]) claims[k] = form[k];
    accounts.set(form.sub, { claims, trap: form.trap || '' });
    await provider.interactionFinished(req, res, { login: { accountId: form.sub } }, { mergeWithLastSubmission: false });
  } catch (err) {
    res.statusCode = 400;
    res.end(String(err));
  }
}

const callback = provider.callback();
server.on('request', (req, res) => {
  if (req.url.startsWith('/interaction/')) interaction(req, res);
  else callback(req, res);
});

process.stdout.on('error', () => {});
process.stdout.write(`${server.address().port}\n`);
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
