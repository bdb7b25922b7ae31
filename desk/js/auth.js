// Sign-in. On AWS: OAuth 2.0 authorization code + PKCE (RFC 7636, S256) against the configured issuer
// (the Cognito hosted UI with the desk's public client, or any OIDC issuer): no client secret, the
// verifier stays in this tab's sessionStorage and only its SHA-256 goes to the authorize page.
// Locally the form also takes a seed agent's token. The token lives in sessionStorage (this tab).
const TOKEN = "switchboard.desk.token";
const PENDING = "switchboard.desk.pkce";

export function savedToken() {
  return sessionStorage.getItem(TOKEN);
}

export function keepToken(token) {
  sessionStorage.setItem(TOKEN, token);
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN);
}

function base64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

function randomString(size) {
  return base64url(crypto.getRandomValues(new Uint8Array(size)));
}

async function challengeOf(verifier) {
  return base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
}

// The issuer's endpoints: given in the config (Cognito's hosted UI), else from its discovery document.
async function endpoints(auth) {
  if (auth.authorizationEndpoint && auth.tokenEndpoint) return auth;
  const url = `${auth.issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const found = await response.json();
  return { ...auth, authorizationEndpoint: found.authorization_endpoint, tokenEndpoint: found.token_endpoint };
}

function redirectUri() {
  return `${location.origin}${location.pathname}`;
}

// Step 1: to the issuer's authorize page with the S256 challenge; it comes back with ?code&state.
export async function startSignIn(auth) {
  const where = await endpoints(auth);
  const verifier = randomString(48);
  const state = randomString(16);
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state }));
  const query = new URLSearchParams({
    response_type: "code",
    client_id: auth.clientId,
    redirect_uri: redirectUri(),
    scope: auth.scope || "openid",
    state,
    code_challenge: await challengeOf(verifier),
    code_challenge_method: "S256",
  });
  location.assign(`${where.authorizationEndpoint}?${query}`);
}

// Step 2 (back from the issuer): the code and this tab's verifier for tokens. Answers the token to
// send to the API (the ID token, which carries the agent's groups and languages; else the access token),
// or null when the page was not opened by a sign-in redirect.
export async function finishSignIn(auth, errors) {
  const params = new URLSearchParams(location.search);
  if (!params.has("code") && !params.has("error")) return null;
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || "null");
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, "", redirectUri() + location.hash);  // the code is used once: off the URL
  if (params.has("error")) throw new Error(params.get("error_description") || params.get("error"));
  if (!pending || pending.state !== params.get("state")) throw new Error(errors.stateMismatch);
  const where = await endpoints(auth);
  const response = await fetch(where.tokenEndpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: auth.clientId,
      code: params.get("code"),
      redirect_uri: redirectUri(),
      code_verifier: pending.verifier,
    }),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.error_description || answer.error || `HTTP ${response.status}`);
  const token = answer.id_token || answer.access_token;
  keepToken(token);
  return token;
}
