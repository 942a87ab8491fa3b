import { Argument, type Command } from 'commander';
import { bashScript, completionTree, zshScript } from '../completion-script.js';

const SCRIPTS = { bash: bashScript, zsh: zshScript } as const;
type Shell = keyof typeof SCRIPTS;

/** Registers `completion bash|zsh`: a completion script generated from `program`'s command tree. */
export function registerCompletion(
  program: Command,
  stdout: (text: string) => void = (text) => process.stdout.write(text),
): void {
  program
    .command('completion')
    .description('print a shell completion script: source <(epycloud completion bash)')
    .addArgument(new Argument('<shell>', 'bash or zsh').choices(Object.keys(SCRIPTS)))
    .action((shell: Shell) => stdout(SCRIPTS[shell](completionTree(program))));
}
