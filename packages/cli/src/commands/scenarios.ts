import type { Command } from 'commander';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { listScenarioFiles, loadScenario } from '../scenario/load.js';

export function registerScenarios(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command('scenarios')
    .description('list the scenarios available by name, with one-line descriptions')
    .action(async () => {
      let bad = false;
      for (const { name, file } of listScenarioFiles()) {
        try {
          const { scenario } = await loadScenario(file);
          process.stdout.write(`${name.padEnd(26)} ${scenario.description ?? ''}\n`);
        } catch (error) {
          bad = true;
          process.stdout.write(`${name.padEnd(26)} INVALID: ${(error as Error).message.split('\n')[0]}\n`);
        }
      }
      setExit(bad ? EXIT.usage : EXIT.ok);
    });
}
