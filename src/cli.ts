/**
 * The `cpim-gateway` command: a dispatcher. The gateway's own commands (start, check-config,
 * inspect) are in cli/admin.ts; the hub client commands in cli/send.ts, cli/listen.ts and
 * cli/presence.ts. Exit codes: 0 success (for inspect: the document is accepted), 1 failure
 * (inspect: rejected), 2 usage errors.
 */
import { readFileSync } from 'node:fs';
import { UsageError, type CliIo } from './cli/common.js';
import { report, takeLogLevel, wantsStack } from './cli/errors.js';

export type { CliIo } from './cli/common.js';

const USAGE = `Usage: cpim-gateway <command> [options]

Gateway:
  start [--config FILE] [--log-format json|pretty]
                                   run the gateway (FILE defaults to ./gateway.config.yaml,
                                   else the demo: loopback only, demo users); logs are
                                   pretty on a terminal, JSON lines otherwise
  check-config [FILE]              check a configuration file and report every problem
  init [FILE] [--domain D] [--force]
                                   write a commented starting configuration (FILE defaults
                                   to ./gateway.config.yaml; never overwritten without --force)
  reload [--config FILE] [--socket PATH]
                                   make the running gateway re-read its configuration
                                   (through its admin socket) and print what changed
  db migrate|backup FILE|check [--config FILE]
                                   the store: apply schema migrations; copy it to FILE
                                   (safe while the gateway runs); check its integrity
  inspect [--type T] [--lenient] FILE
                                   parse a Message/CPIM (cpim), PIDF (pidf) or Hudson
                                   application/presence (presence) document and print it as
                                   JSON; FILE "-" reads standard input; the type is detected
                                   when not given

Hub client (IMTP/PITP):
  send --from URI --to URI TEXT    send TEXT (as message/cpim); "-" reads standard input
  listen URI                       print each message sent to URI until Ctrl-C
  presence set URI open|closed [--note TEXT]
                                   publish your presence (PIDF)
  presence get URI [--as WATCHER]  fetch and print someone's presence
  presence watch URI [--as WATCHER]
                                   print each change of someone's presence until Ctrl-C

  Client options:
    --user NAME --password PW      SASL PLAIN (default $CPIM_USER / $CPIM_PASSWORD)
    --hub HOST[:PORT]              the gateway (default $CPIM_HUB, else 127.0.0.1; ports
                                   7410 for IMTP, 7411 for PITP)
    --imtp HOST:PORT, --pitp HOST:PORT
                                   per protocol ($CPIM_IMTP, $CPIM_PITP)
    --tls                          implicit TLS; --ca FILE to verify the gateway with
    --cert FILE --key FILE         TLS client certificate, SASL EXTERNAL

  help                             this text
  --version, -V                    print the version

Every command takes --log-level LEVEL (debug shows the stack of an unexpected failure; for
start it also sets the log level).

Exit codes: 0 ok / accepted, 1 failed / rejected, 2 usage error.`;

const defaultIo: CliIo = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  readStdin: () => readFileSync(0),
};

export async function main(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  const [command, ...given] = argv;
  let logLevel: string | undefined;
  try {
    const { level, rest } = takeLogLevel(given);
    logLevel = level;
    switch (command) {
      // Each command loads only what it needs (a client command starts faster).
      case 'start':
        return await (await import('./cli/admin.js')).start(rest, level);
      case 'check-config':
        return await (await import('./cli/admin.js')).checkConfigCommand(rest, io);
      case 'init':
        return (await import('./cli/init.js')).initCommand(rest, io);
      case 'reload':
        return await (await import('./cli/reload.js')).reloadCommand(rest, io);
      case 'inspect':
        return (await import('./cli/admin.js')).inspect(rest, io);
      case 'db':
        return await (await import('./cli/db.js')).dbCommand(rest, io);
      case 'send':
        return await (await import('./cli/send.js')).sendCommand(rest, io);
      case 'listen':
        return await (await import('./cli/listen.js')).listenCommand(rest, io);
      case 'presence':
        return await (await import('./cli/presence.js')).presenceCommand(rest, io);
      case '--version':
      case '-V':
        io.stdout(`${(await import('./cli/version.js')).packageVersion()}\n`);
        return 0;
      case 'help':
      case '--help':
      case '-h':
        io.stdout(USAGE + '\n');
        return 0;
      case undefined:
        io.stderr(USAGE + '\n');
        return 2;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    // One line that says what to do; the stack only with --log-level debug (src/cli/errors.ts).
    const { code, text } = report(err, wantsStack(logLevel));
    io.stderr(text);
    return code;
  }
}
