/**
 * The starting configuration `cpim-gateway init` writes (issue 14): the demo's shape
 * (src/config/demo.ts: hub, web chat, email with .eml files, a lobby room), loopback listeners,
 * secrets generated for this file with an environment variable that overrides each (`${VAR}`
 * substitution, docs/architecture.md part 9), and comments saying what to change before a
 * listener faces a network. Every key and its default: docs/configuration.md.
 */
import { randomBytes } from 'node:crypto';

export interface StarterOptions {
  /** The gateway's domain; web users live under web.<domain>, mail under mail.<domain>. */
  readonly domain: string;
  /** A random secret (tests pass a fixed one). */
  readonly secret?: () => string;
}

/** 24 random characters from the URL-safe base64 alphabet (144 bits). */
export function randomSecret(): string {
  return randomBytes(18).toString('base64url');
}

export function starterConfig(options: StarterOptions): string {
  const d = options.domain;
  const secret = options.secret ?? randomSecret;
  const [alicePassword, bobPassword, aliceToken, bobToken] = [secret(), secret(), secret(), secret()];
  return `# gateway.config.yaml, written by \`cpim-gateway init\`. Check it with
# \`cpim-gateway check-config FILE\`; run it with \`cpim-gateway start --config FILE\` (or from
# this folder, \`cpim-gateway start\`). Keys left out take their defaults: every key, its type,
# default and meaning are in docs/configuration.md.
#
# Secrets: \${VAR} in any value is replaced from the environment, \${VAR:-text} falls back to
# text. The passwords and tokens below were generated at random for this file; set the
# variables to override them, and keep this file private (it is written with mode 0600).
#
# As written, every listener is on 127.0.0.1. Before one faces a network:
#   1. gateway.domains: your domain, with DNS pointing at this host.
#   2. hub: listeners on a public address need \`tls: { cert, key }\` (implicit TLS); then set
#      hub.sasl.allowPlainWithoutTls to false (PLAIN sends passwords in the clear).
#   3. hub.accounts and the web tokens: one per real user, secrets from the environment.
#   4. web chat: put it behind a TLS reverse proxy (https, wss) and list the page's public
#      origin in http.allowedOrigins if it is served from elsewhere.
#   5. email: inbound on port 25 (or 587 with auth) with STARTTLS (inbound.tls), sender
#      authentication on, and an SMTP relay in outbound instead of the .eml folder.

gateway:
  # Domains this gateway is home for: im:NAME@DOMAIN and pres:NAME@DOMAIN live here.
  domains: [${d}]

log:
  level: info            # fatal, error, warn, info, debug, trace (wire traces), silent

hub:
  # IMTP and PITP (draft-hudson-impp-transfer-proposal-01) for hub clients and peer gateways.
  imtp: { host: 127.0.0.1, port: 7410 }
  pitp: { host: 127.0.0.1, port: 7411 }
  sasl:
    # PLAIN without TLS is allowed only because the listeners are on loopback: change it to
    # false as soon as a listener faces a network (step 2 above).
    allowPlainWithoutTls: true
  accounts:
    - user: alice
      password: \${ALICE_PASSWORD:-${alicePassword}}
      identities: [im:alice@${d}, pres:alice@${d}]
    - user: bob
      password: \${BOB_PASSWORD:-${bobPassword}}
      identities: [im:bob@${d}, pres:bob@${d}]

# A room: a message to its inbox goes to every other member. This one joins the web chat's
# lobby with the hub users alice and bob.
rooms:
  - name: lobby
    address: im:lobby@${d}
    members: [im:room.lobby@web.${d}, im:alice@${d}, im:bob@${d}]
    open: true

adapters:
  # Web chat: the page at http://127.0.0.1:8080/ and its WebSocket at /ws; web users are
  # im:NAME@web.${d}. Each signs in with a token.
  - type: websocket
    id: web
    domain: web.${d}
    http: { host: 127.0.0.1, port: 8080 }
    auth:
      tokens:
        - { user: alice, token: "\${WEB_ALICE_TOKEN:-${aliceToken}}" }
        - { user: bob, token: "\${WEB_BOB_TOKEN:-${bobToken}}" }
    rooms:
      - { name: lobby, address: im:lobby@${d}, title: Lobby }

  # Email: SMTP in for mail.${d} (alice@mail.${d} reaches im:alice@${d}); mail out is written
  # as .eml files until outbound names a relay: { transport: smtp, host, port, auth }.
  - type: email
    id: mail
    domain: mail.${d}
    localDomain: ${d}
    inbound: { host: 127.0.0.1, port: 2525 }
    outbound: { transport: directory, directory: ./var/mail-out }
`;
}
