/**
 * `crucible enroll <plantId> --out DIR` issues a plant's credential (client certificate + bearer
 * token, creating the federation CA on first use); `--revoke` withdraws it. Wiring only: the work is
 * `enrollPlant` / `revokePlant` in transport/.
 *
 * @example
 * program.addCommand(enrollCommand());
 * // crucible enroll plant-a --out creds/plant-a
 */
import { Command } from 'commander';
import { CrucibleError } from '../errors.js';
import { enrollPlant, revokePlant } from '../transport/enrollment.js';

interface EnrollFlags {
  out?: string;
  store: string;
  pki: string;
  host: string[];
  revoke?: boolean;
}

/** The `enroll` command. */
export function enrollCommand(): Command {
  return new Command('enroll')
    .description("issue a plant's credential (certificate + token) or revoke it")
    .argument('<plantId>', "the plant's id (letters, digits, '_' and '-')")
    .option('--out <dir>', "folder for the plant's files: ca.pem, plant.pem, plant-key.pem, token")
    .option('--store <file>', "the coordinator's store (plant registry)", 'crucible.db')
    .option('--pki <dir>', 'the federation CA folder (created on first use)', 'pki')
    .option('--host <name>', "host name or IP of the coordinator's certificate (repeatable; first enrolment only)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--revoke', 'revoke the plant instead: the coordinator refuses it from its next call')
    .addHelpText(
      'after',
      `
Examples:
  crucible enroll plant-a --out creds/plant-a --host coordinator.example.com
  crucible enroll plant-a --revoke

Exit codes: 0 issued (or revoked); 78 CONFIG_INVALID (e.g. an unknown plant to revoke); 64 usage error;
the full table is in docs/cli.md.`,
    )
    .action((plantId: string, flags: EnrollFlags) => {
      if (flags.revoke) {
        if (!revokePlant(plantId, { storePath: flags.store })) {
          throw new CrucibleError('CONFIG_INVALID', `plant '${plantId}' is not enrolled in ${flags.store}`);
        }
        process.stdout.write(`revoked plant '${plantId}' in ${flags.store}\n`);
        return;
      }
      if (flags.out === undefined) throw new CrucibleError('CONFIG_INVALID', 'enroll: --out <dir> is required (unless --revoke)');
      const enrolled = enrollPlant(plantId, {
        storePath: flags.store,
        pkiDir: flags.pki,
        outDir: flags.out,
        hosts: flags.host.length > 0 ? flags.host : undefined,
      });
      process.stdout.write(
        `enrolled plant '${plantId}' (certificate sha256 ${enrolled.fingerprint.slice(0, 16)}…)\n` +
          `  ${enrolled.files.ca}\n  ${enrolled.files.cert}\n  ${enrolled.files.key}   (secret)\n  ${enrolled.files.token}   (secret)\n` +
          `copy these to the plant and point plant.yaml's token: and tls: at them\n`,
      );
    });
}
