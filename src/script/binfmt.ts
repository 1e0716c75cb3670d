// Scripted programs as executable files: a scenario's `programs` are files
// holding "#!unixsim-script PATH\n", and this format (a binfmt handler, as
// Linux's binfmt_misc recognizes a magic string) lets execve start the
// registered program in place of the caller's, with its argv and envp.
import type { Binfmt } from '../kernel/context.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { ScriptContext, type Program } from './context.ts';
import { installFiles, type FileSpec } from './files.ts';

const MAGIC = '#!unixsim-script ';

/** The file contents that stand for the program registered under `name`. */
export function scriptImage(name: string): Uint8Array {
  return new TextEncoder().encode(`${MAGIC}${name}\n`);
}

export class ScriptBinfmt implements Binfmt {
  constructor(private readonly programs: ReadonlyMap<string, Program>) {}

  recognize(image: Uint8Array) {
    if (image.length < MAGIC.length + 2 || image[image.length - 1] !== 0x0a) return null;
    const text = new TextDecoder().decode(image);
    if (!text.startsWith(MAGIC)) return null;
    const program = this.programs.get(text.slice(MAGIC.length, -1));
    if (!program) return null;
    return (t: ScriptContext['task'], argv: string[], envp: string[]) => new ScriptContext(t, program, { argv, envp });
  }
}

/**
 * Registers `programs` (path -> program) as executable files (mode 0755,
 * in directories that must exist or be declared in `files`) and their
 * format with the kernel; returns a one-line problem or null.
 */
export function installScriptPrograms(k: Kernel, programs: Record<string, Program>): string | null {
  const map = new Map<string, Program>();
  const files: Record<string, FileSpec> = {};
  for (const [path, program] of Object.entries(programs)) {
    map.set(path, program);
    files[path] = { content: scriptImage(path), mode: 0o755 };
  }
  const bad = installFiles(k.vfs, files);
  if (bad) return bad.replace(/^files:/, 'programs:');
  if (map.size) k.binfmts.push(new ScriptBinfmt(map));
  return null;
}
