// A real OpenID Connect provider (panva/oidc-provider) for the ProConnect tests, configured as
// ProConnect is: RS256 ID tokens, userinfo returned as a signed JWT, acr "eidas1", the scopes
// openid email given_name usual_name siret uid, end_session_endpoint.
// Usage: node fournisseur.mjs PORT REDIRECT_URI POST_LOGOUT_URI
// Test controls (not part of OpenID Connect):
//   GET /test/compte?email=…  the account the next login interaction logs in as;
//   GET /test/autre-jwks      the same key id with another key (to prove signature checks).
import http from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const [port, redirectUri, postLogoutUri] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

function cle() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: 'cle-test', use: 'sig', alg: 'RS256' };
}
const cleFournisseur = cle();
const cleImposteur = cle();
const publique = ({ d, p, q, dp, dq, qi, ...reste }) => reste;

let compte = 'agent@exemple.gouv.fr';

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'delegations',
    client_secret: 'secret-de-test',
    redirect_uris: [redirectUri],
    post_logout_redirect_uris: [postLogoutUri],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    id_token_signed_response_alg: 'RS256',
    userinfo_signed_response_alg: 'RS256',
    token_endpoint_auth_method: 'client_secret_post',
  }],
  jwks: { keys: [cleFournisseur] },
  acrValues: ['eidas1'],
  scopes: ['openid', 'email', 'given_name', 'usual_name', 'siret', 'uid'],
  claims: {
    openid: ['sub'],
    email: ['email'],
    given_name: ['given_name'],
    usual_name: ['usual_name'],
    siret: ['siret'],
    uid: ['uid'],
  },
  features: {
    devInteractions: { enabled: false },
    jwtUserinfo: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: async (ctx, form) => {
        ctx.body = `<!DOCTYPE html><html><body><p>deconnexion-confirmee</p>${form}</body></html>`;
      },
    },
  },
  pkce: { required: () => false },
  cookies: { keys: ['cle-de-cookies-de-test'] },
  findAccount: async (ctx, id) => ({
    accountId: id,
    claims: async () => ({
      sub: id,
      email: id,
      given_name: 'Camille',
      usual_name: 'Agent',
      siret: '13002526500013',
      uid: `uid-${id}`,
    }),
  }),
  // First-party client: every requested scope and claim granted, no consent screen.
  loadExistingGrant: async (ctx) => {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email given_name usual_name siret uid');
    grant.addOIDCClaims(['email', 'given_name', 'usual_name', 'siret', 'uid']);
    await grant.save();
    return grant;
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  ttl: { Interaction: 600, Session: 600, Grant: 600, AccessToken: 600, AuthorizationCode: 60, IdToken: 600 },
});
provider.on('server_error', (ctx, err) => console.error('server_error', err));

const rappel = provider.callback();
const serveur = http.createServer(async (req, res) => {
  const url = new URL(req.url, issuer);
  if (url.pathname === '/test/compte') {
    compte = url.searchParams.get('email');
    res.end('ok');
    return;
  }
  if (url.pathname === '/test/autre-jwks') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [publique(cleImposteur)] }));
    return;
  }
  if (url.pathname.startsWith('/interaction/')) {
    try {
      await provider.interactionFinished(req, res, { login: { accountId: compte, acr: 'eidas1' } },
        { mergeWithLastSubmission: false });
    } catch (err) {
      res.statusCode = 500;
      res.end(String(err));
    }
    return;
  }
  rappel(req, res);
});
serveur.listen(Number(port), '127.0.0.1', () => console.log(`pret ${issuer}`));
