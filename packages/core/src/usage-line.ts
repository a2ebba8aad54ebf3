// The usage line of a command, read from its declaration (command-spec.ts):
// `bird history [TEXT] [-n N] [--reverse] [--host H] [--source S] [--format table|csv|json]`.
import type { CommandSpec, FlagSpec } from './command-spec.ts';

/** The name the usage line gives a flag: `-n` for one shown short, else `--limit`. */
export function usageName(flag: FlagSpec): string {
  return flag.usageShort && flag.short !== undefined ? `-${flag.short}` : `--${flag.name}`;
}

/** What the usage line shows for a flag's value (`table|csv|json`, `URI`), or undefined when it takes none. */
export function valueText(flag: FlagSpec): string | undefined {
  if (flag.type === 'boolean') return undefined;
  return flag.type === 'enum' ? flag.values.join('|') : flag.value;
}

/** A flag as the usage line shows it, without brackets: `--format table|csv|json`, `-n N`, `--reverse`. */
export function flagUsage(flag: FlagSpec): string {
  const value = valueText(flag);
  return value === undefined ? usageName(flag) : `${usageName(flag)} ${value}`;
}

/** The operand part: `NAME`, `[TEXT]`, `zsh|bash|fish`, `["QUERY" | --file FILE]`; undefined when it takes none. */
function operandUsage(spec: CommandSpec): string | undefined {
  const operand = spec.operand;
  if (operand === undefined) return undefined;
  let text = operand.type === 'enum' ? operand.values.join('|') : operand.value;
  if (operand.type === 'text' && operand.orFlag !== undefined) {
    const flag = spec.flags.find((f) => f.name === operand.orFlag);
    if (flag !== undefined) text = `${text} | ${flagUsage(flag)}`;
  }
  return operand.required ? text : `[${text}]`;
}

/** The flags a usage line lists, in the order declared: not hidden ones, nor one shown as the operand's alternative. */
export function listedFlags(spec: CommandSpec): FlagSpec[] {
  const orFlag = spec.operand?.type === 'text' ? spec.operand.orFlag : undefined;
  return spec.flags.filter((f) => !f.hidden && f.name !== orFlag);
}

/**
 * The command's name, operand and those flags `include` keeps (the required ones always), each
 * optional one in brackets: `remote add NAME --type file|s3 --uri URI [--read-only]`.
 */
export function synopsis(spec: CommandSpec, include: (flag: FlagSpec) => boolean = () => true): string {
  const flags = listedFlags(spec)
    .filter((f) => f.required || include(f))
    .map((f) => (f.required ? flagUsage(f) : `[${flagUsage(f)}]`));
  return [spec.name, operandUsage(spec), ...flags].filter((w) => w !== undefined && w !== '').join(' ');
}

/**
 * `program` and the command's whole synopsis, then its remark.
 *
 * @example
 * usageLine('bird', { name: 'doctor', about: '…', flags: [{ name: 'json', type: 'boolean', help: '…' }] })
 * // 'bird doctor [--json]'
 */
export function usageLine(program: string, spec: CommandSpec): string {
  const line = [program, synopsis(spec)].filter((w) => w !== '').join(' ');
  return spec.remark === undefined ? line : `${line}  ${spec.remark}`;
}
